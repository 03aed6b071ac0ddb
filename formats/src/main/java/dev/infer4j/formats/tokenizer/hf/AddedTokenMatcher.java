package dev.infer4j.formats.tokenizer.hf;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text as Hugging Face's {@code AddedVocabulary::find_matches}: leftmost-longest matching
 * over all patterns (an Aho-Corasick automaton there, a character trie here), then {@code single_word},
 * {@code lstrip} and {@code rstrip} applied to each match.
 */
final class AddedTokenMatcher {
    private final Node root = new Node();
    private final boolean empty;

    /** A matcher for {@code tokens}, each matched by {@code patterns[i]} (its content or normalized content). */
    AddedTokenMatcher(List<AddedToken> tokens, List<String> patterns) {
        for (int i = 0; i < tokens.size(); i++) {
            String p = patterns.get(i);
            if (p.isEmpty()) {
                continue;
            }
            Node n = root;
            for (int k = 0; k < p.length(); k++) {
                n = n.children.computeIfAbsent(p.charAt(k), c -> new Node());
            }
            if (n.token == null) {
                n.token = tokens.get(i);
            }
        }
        empty = root.children.isEmpty();
    }

    /** A cut of the text: a plain stretch ({@code token == null}) or one added token. */
    record Segment(int start, int end, AddedToken token) {
    }

    /**
     * Cuts {@code text} into plain stretches and added tokens, covering it entirely.
     *
     * @param skipSpecial treat special tokens as plain text (Hugging Face's {@code encode_special_tokens})
     */
    List<Segment> split(String text, boolean skipSpecial) {
        List<Segment> out = new ArrayList<>();
        if (empty) {
            out.add(new Segment(0, text.length(), null));
            return out;
        }
        int startOffset = 0;
        int pos = 0;
        while (pos < text.length()) {
            int matchEnd = -1;
            AddedToken matched = null;
            Node n = root;
            for (int k = pos; k < text.length(); k++) {
                n = n.children.get(text.charAt(k));
                if (n == null) {
                    break;
                }
                if (n.token != null) {
                    matched = n.token;
                    matchEnd = k + 1;
                }
            }
            if (matched == null) {
                pos++;
                continue;
            }
            int start = pos;
            int stop = matchEnd;
            pos = matchEnd;
            if (skipSpecial && matched.special()) {
                continue;
            }
            if (matched.singleWord()) {
                boolean startSpace = start == 0 || !CharProperties.isWordCharacter(text.codePointBefore(start));
                boolean stopSpace = stop == text.length() || !CharProperties.isWordCharacter(text.codePointAt(stop));
                if (!startSpace || !stopSpace) {
                    continue;
                }
            }
            if (matched.lstrip()) {
                int newStart = start;
                while (newStart > 0 && CharProperties.isWhitespace(text.codePointBefore(newStart))) {
                    newStart -= Character.charCount(text.codePointBefore(newStart));
                }
                start = Math.max(newStart, startOffset);
            }
            if (matched.rstrip()) {
                while (stop < text.length() && CharProperties.isWhitespace(text.codePointAt(stop))) {
                    stop += Character.charCount(text.codePointAt(stop));
                }
            }
            if (startOffset < start) {
                out.add(new Segment(startOffset, start, null));
            }
            out.add(new Segment(start, stop, matched));
            startOffset = stop;
        }
        if (startOffset != text.length() || out.isEmpty()) {
            out.add(new Segment(startOffset, text.length(), null));
        }
        return out;
    }

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        AddedToken token;
    }
}
