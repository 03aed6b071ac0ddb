package dev.infer4j.formats.tokenizer;

/**
 * A map from a pair of non-negative ints to a non-negative long, in primitive arrays with open addressing:
 * BPE merges ({@code (left, right) -> rank << 32 | merged symbol}) and trie edges ({@code (node, char) ->
 * child}). A 100k-merge vocabulary costs two arrays, and a lookup costs no allocation.
 */
final class PairTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;

    PairTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    /** Stores {@code value} unless the pair already has one (llama.cpp keeps a merge's first rank). */
    void putIfAbsent(int a, int b, long value) {
        long key = pair(a, b);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
    }

    /** The value of the pair, or -1 if it has none (or either int is negative). */
    long get(int a, int b) {
        if (a < 0 || b < 0) {
            return -1;
        }
        long key = pair(a, b);
        for (int slot = slot(key); keys[slot] != EMPTY; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return values[slot];
            }
        }
        return -1;
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | (b & 0xFFFF_FFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
