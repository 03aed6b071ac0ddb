package dev.infer4j.formats.tokenizer;

/**
 * BPE merge ranks keyed by the pair of symbol ids: {@code (left, right) -> (rank, merged symbol id)}.
 * Open addressing over primitive arrays, so a 100k-merge vocabulary costs two arrays and a lookup costs no
 * allocation. Symbol ids are token ids, extended past the vocabulary for merge parts that are not tokens.
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    /** Adds a merge unless the pair already has a (lower) rank: llama.cpp keeps the first occurrence. */
    void putIfAbsent(int left, int right, int rank, int merged) {
        long key = pair(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY) {
            if (keys[slot] == key) {
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = ((long) rank << 32) | (merged & 0xFFFF_FFFFL);
    }

    /** {@code rank << 32 | merged}, or -1 if the pair has no merge. */
    long get(int left, int right) {
        if (left < 0 || right < 0) {
            return -1;
        }
        long key = pair(left, right);
        for (int slot = slot(key); keys[slot] != EMPTY; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return values[slot];
            }
        }
        return -1;
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFF_FFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
