package dev.infer4j.formats.tokenizer;

/**
 * Token text to id, looked up by a range of characters without building a string: the encoders ask "is this
 * slice of the input a token?" for every candidate merge, and a substring per question would be garbage.
 *
 * <p>Open addressing with linear probing over the token ids; the hash is {@link String#hashCode()}'s
 * polynomial, so whole-string lookups reuse the string's cached hash.
 */
final class TokenLookup {
    private final String[] texts;
    private final int[] slots;
    private final int mask;

    /**
     * @param texts token texts by id (kept, not copied)
     * @throws IllegalArgumentException naming both ids if two tokens have the same text
     */
    TokenLookup(String[] texts) {
        this.texts = texts;
        int capacity = Integer.highestOneBit(Math.max(4, texts.length * 2) - 1) << 1;
        slots = new int[capacity];
        mask = capacity - 1;
        for (int id = 0; id < texts.length; id++) {
            String t = texts[id];
            int slot = spread(t.hashCode()) & mask;
            while (slots[slot] != 0) {
                int other = slots[slot] - 1;
                if (texts[other].equals(t)) {
                    throw new IllegalArgumentException("duplicate token in vocabulary: '" + t + "' has ids "
                            + other + " and " + id);
                }
                slot = (slot + 1) & mask;
            }
            slots[slot] = id + 1;
        }
    }

    /** The id of the token whose text is exactly {@code s}, or -1. */
    int find(String s) {
        int slot = spread(s.hashCode()) & mask;
        for (int entry; (entry = slots[slot]) != 0; slot = (slot + 1) & mask) {
            if (texts[entry - 1].equals(s)) {
                return entry - 1;
            }
        }
        return -1;
    }

    /** The id of the token whose text is {@code s[from, to)}, or -1. */
    int find(CharSequence s, int from, int to) {
        int h = 0;
        for (int i = from; i < to; i++) {
            h = 31 * h + s.charAt(i);
        }
        int len = to - from;
        int slot = spread(h) & mask;
        for (int entry; (entry = slots[slot]) != 0; slot = (slot + 1) & mask) {
            String t = texts[entry - 1];
            if (t.length() == len && regionEquals(t, s, from)) {
                return entry - 1;
            }
        }
        return -1;
    }

    private static boolean regionEquals(String t, CharSequence s, int from) {
        for (int i = 0; i < t.length(); i++) {
            if (t.charAt(i) != s.charAt(from + i)) {
                return false;
            }
        }
        return true;
    }

    private static int spread(int h) {
        h *= 0x9E3779B9;
        return h ^ (h >>> 15);
    }
}
