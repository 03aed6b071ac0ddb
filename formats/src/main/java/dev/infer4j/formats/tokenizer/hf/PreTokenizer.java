package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A {@code tokenizer.json} pre-tokenizer: cuts normalized text into the words the model encodes one by one. */
sealed interface PreTokenizer {

    /** GPT-2's split regex, used by ByteLevel when {@code use_regex} is true. */
    Pattern GPT2_REGEX = OnigurumaPattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    /** Appends the pieces {@code piece} splits into to {@code out}. */
    void split(Piece piece, List<Piece> out);

    /** Builds the pre-tokenizer described by {@code node}. */
    static PreTokenizer fromJson(JsonNode node, JsonSource src, String at) {
        String type = src.type(node, at);
        return switch (type) {
            case "Sequence" -> {
                JsonNode items = src.array(node, "pretokenizers", at);
                List<PreTokenizer> steps = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    steps.add(fromJson(items.get(i), src, at + ".pretokenizers[" + i + "]"));
                }
                yield new Sequence(List.copyOf(steps));
            }
            case "ByteLevel" -> new ByteLevel(src.bool(node, "add_prefix_space", true, at),
                    src.bool(node, "use_regex", true, at));
            case "Split" -> new Split(new SplitPattern.Regex(src.pattern(node, "pattern", at)),
                    behavior(node, src, at, null), src.bool(node, "invert", false, at));
            case "Metaspace" -> new Metaspace(src.codePoint(node, "replacement", at), prependScheme(node, src, at),
                    src.bool(node, "split", true, at));
            case "Whitespace" -> new Split(new SplitPattern.Regex(OnigurumaPattern.compile("\\w+|[^\\w\\s]+")),
                    SplitBehavior.REMOVED, true);
            case "WhitespaceSplit" -> new Split(new SplitPattern.CharClass(CharProperties::isWhitespace),
                    SplitBehavior.REMOVED, false);
            case "Digits" -> new Split(new SplitPattern.CharClass(CharProperties::isNumeric),
                    src.bool(node, "individual_digits", false, at) ? SplitBehavior.ISOLATED : SplitBehavior.CONTIGUOUS,
                    false);
            case "Punctuation" -> new Split(new SplitPattern.CharClass(CharProperties::isPunctuation),
                    behavior(node, src, at, SplitBehavior.ISOLATED), false);
            case "CharDelimiterSplit" -> {
                int delimiter = src.codePoint(node, "delimiter", at);
                yield new Split(new SplitPattern.CharClass(cp -> cp == delimiter), SplitBehavior.REMOVED, false);
            }
            case "BertPreTokenizer" -> new Sequence(List.of(
                    new Split(new SplitPattern.CharClass(CharProperties::isWhitespace), SplitBehavior.REMOVED, false),
                    new Split(new SplitPattern.CharClass(CharProperties::isPunctuation), SplitBehavior.ISOLATED,
                            false)));
            default -> throw src.unsupported("pre-tokenizer", at, node);
        };
    }

    private static SplitBehavior behavior(JsonNode node, JsonSource src, String at, SplitBehavior absent) {
        String name = absent == null ? src.requireText(node, "behavior", at) : src.optionalText(node, "behavior", at);
        if (name == null) {
            return absent;
        }
        SplitBehavior b = SplitBehavior.fromJson(name);
        if (b == null) {
            throw src.error(at + ".behavior", "unknown split behavior '" + name + "'");
        }
        return b;
    }

    private static Metaspace.Prepend prependScheme(JsonNode node, JsonSource src, String at) {
        String scheme = src.optionalText(node, "prepend_scheme", at);
        if (scheme == null) {
            // files written before prepend_scheme existed carry add_prefix_space instead
            return src.bool(node, "add_prefix_space", true, at) ? Metaspace.Prepend.ALWAYS : Metaspace.Prepend.NEVER;
        }
        return switch (scheme) {
            case "first" -> Metaspace.Prepend.FIRST;
            case "always" -> Metaspace.Prepend.ALWAYS;
            case "never" -> Metaspace.Prepend.NEVER;
            default -> throw src.error(at + ".prepend_scheme", "unknown prepend scheme '" + scheme + "'");
        };
    }

    /** Applies each pre-tokenizer to every piece the previous one produced. */
    record Sequence(List<PreTokenizer> steps) implements PreTokenizer {
        @Override
        public void split(Piece piece, List<Piece> out) {
            List<Piece> current = List.of(piece);
            for (int s = 0; s < steps.size(); s++) {
                List<Piece> next = s == steps.size() - 1 ? out : new ArrayList<>();
                for (Piece p : current) {
                    steps.get(s).split(p, next);
                }
                current = next;
            }
        }
    }

    /** Splits on a pattern, keeping or dropping the matches as {@code behavior} says. */
    record Split(SplitPattern pattern, SplitBehavior behavior, boolean invert) implements PreTokenizer {
        @Override
        public void split(Piece piece, List<Piece> out) {
            Spans spans = new Spans();
            pattern.findMatches(piece.text(), spans);
            if (invert) {
                spans.invertFlags();
            }
            behavior.split(piece, spans, out);
        }
    }

    /**
     * GPT-2's byte-level step: optionally a leading space, optionally the GPT-2 regex split, then every UTF-8
     * byte written as its {@link ByteLevelAlphabet} character.
     */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        @Override
        public void split(Piece piece, List<Piece> out) {
            String text = piece.text();
            if (addPrefixSpace && !text.startsWith(" ")) {
                text = " " + text;
            }
            Piece prefixed = new Piece(text, piece.atOrigin());
            List<Piece> parts = new ArrayList<>();
            if (useRegex) {
                new Split(new SplitPattern.Regex(GPT2_REGEX), SplitBehavior.ISOLATED, false).split(prefixed, parts);
            } else if (!text.isEmpty()) {
                parts.add(prefixed);
            }
            for (Piece p : parts) {
                out.add(new Piece(ByteLevelAlphabet.encode(p.text()), p.atOrigin()));
            }
        }
    }

    /** SentencePiece-style: spaces become {@code replacement}, a leading one is added, words split before it. */
    record Metaspace(int replacement, Prepend prepend, boolean splitWords) implements PreTokenizer {
        /** Where a leading replacement character is added. */
        enum Prepend { FIRST, ALWAYS, NEVER }

        @Override
        public void split(Piece piece, List<Piece> out) {
            String rep = Character.toString(replacement);
            String text = piece.text().replace(" ", rep);
            boolean add = switch (prepend) {
                case ALWAYS -> true;
                case FIRST -> piece.atOrigin();
                case NEVER -> false;
            };
            if (add && !text.startsWith(rep)) {
                text = rep + text;
            }
            Piece replaced = new Piece(text, piece.atOrigin());
            if (!splitWords) {
                if (!text.isEmpty()) {
                    out.add(replaced);
                }
                return;
            }
            Spans spans = new Spans();
            new SplitPattern.CharClass(cp -> cp == replacement).findMatches(text, spans);
            SplitBehavior.MERGED_WITH_NEXT.split(replaced, spans, out);
        }
    }
}
