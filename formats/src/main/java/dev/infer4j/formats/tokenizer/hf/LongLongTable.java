package dev.infer4j.formats.tokenizer.hf;

/**
 * An open-addressing hash map from non-negative {@code long} keys to {@code long} values, built once and then
 * read-only, so the BPE inner loop looks up merge pairs without boxing.
 */
final class LongLongTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;

    /** @param expected the number of keys that will be put */
    LongLongTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        java.util.Arrays.fill(keys, EMPTY);
    }

    /** Inserts or overwrites; {@code key} must be non-negative. */
    void put(long key, long value) {
        int slot = slot(key);
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
    }

    /** The value of {@code key}, or {@code missing}. */
    long get(long key, long missing) {
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return values[slot];
            }
            if (k == EMPTY) {
                return missing;
            }
            slot = (slot + 1) & mask;
        }
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
