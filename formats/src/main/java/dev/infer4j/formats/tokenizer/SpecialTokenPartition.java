package dev.infer4j.formats.tokenizer;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Cuts special tokens out of the text before encoding, as llama.cpp's {@code tokenizer_st_partition}: every
 * control, user-defined and unknown token, longest first, is searched in the remaining plain-text runs and
 * each occurrence becomes its own id. User-defined tokens are always cut out (Hugging Face treats added tokens
 * so); control and unknown tokens only when special tokens are parsed. Tokens marked LSTRIP/RSTRIP swallow the
 * ASCII white space beside them.
 */
final class SpecialTokenPartition {
    /** A fragment is three ints: kind, then {@code start, end} of a text run or {@code id, 0} of a token. */
    static final int TEXT = 0;
    static final int TOKEN = 1;

    private final Vocabulary vocab;
    private final int[] candidates;

    SpecialTokenPartition(Vocabulary vocab) {
        this.vocab = vocab;
        int special = TokenAttributes.CONTROL | TokenAttributes.USER_DEFINED | TokenAttributes.UNKNOWN;
        Integer[] ids = new Integer[vocab.size()];
        int n = 0;
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.has(id, special)) {
                ids[n++] = id;
            }
        }
        // llama.cpp sorts by length only (its order among equal lengths is unspecified); ids break ties here
        candidates = Arrays.stream(ids, 0, n)
                .sorted(Comparator.comparingInt((Integer id) -> -vocab.texts[id].length()).thenComparingInt(id -> id))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** The special tokens searched, longest first. */
    int[] candidates() {
        return candidates.clone();
    }

    IntList split(String text, boolean parseSpecial) {
        IntList fragments = new IntList(6);
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(TEXT);
        fragments.add(0);
        fragments.add(text.length());
        for (int id : candidates) {
            int attributes = vocab.attributes[id];
            if (!parseSpecial && (attributes & (TokenAttributes.CONTROL | TokenAttributes.UNKNOWN)) != 0) {
                continue;
            }
            String token = vocab.texts[id];
            if (!containsInText(text, token, fragments)) {
                continue;
            }
            IntList next = new IntList(fragments.size() + 6);
            for (int f = 0; f < fragments.size(); f += 3) {
                if (fragments.get(f) == TOKEN) {
                    add(next, TOKEN, fragments.get(f + 1), 0);
                } else {
                    cut(text, fragments.get(f + 1), fragments.get(f + 2), id, token, attributes, next);
                }
            }
            fragments = next;
        }
        return fragments;
    }

    private static boolean containsInText(String text, String token, IntList fragments) {
        for (int f = 0; f < fragments.size(); f += 3) {
            if (fragments.get(f) == TEXT) {
                if (text.indexOf(token, fragments.get(f + 1), fragments.get(f + 2)) >= 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void cut(String text, int start, int end, int id, String token, int attributes, IntList out) {
        int base = start;
        while (true) {
            int match = text.indexOf(token, base, end);
            if (match < 0) {
                if (base < end) {
                    add(out, TEXT, base, end);
                }
                return;
            }
            int leftEnd = match;
            if ((attributes & TokenAttributes.LSTRIP) != 0) {
                while (leftEnd > base && isAsciiSpace(text.charAt(leftEnd - 1))) {
                    leftEnd--;
                }
            }
            if (leftEnd > base) {
                add(out, TEXT, base, leftEnd);
            }
            add(out, TOKEN, id, 0);
            base = match + token.length();
            if ((attributes & TokenAttributes.RSTRIP) != 0) {
                while (base < end && isAsciiSpace(text.charAt(base))) {
                    base++;
                }
            }
        }
    }

    private static boolean isAsciiSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static void add(IntList out, int kind, int a, int b) {
        out.add(kind);
        out.add(a);
        out.add(b);
    }
}
