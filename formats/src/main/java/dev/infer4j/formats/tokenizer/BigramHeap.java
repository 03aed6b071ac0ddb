package dev.infer4j.formats.tokenizer;

import java.util.Arrays;

/**
 * The merge work queue of the SentencePiece and BPE encoders: a binary min-heap of candidate bigrams held in
 * primitive arrays. The ordering key packs the priority (BPE rank, or negated SentencePiece score) in the high
 * 32 bits and the left symbol's index in the low 32, so ties go to the leftmost pair exactly as in llama.cpp.
 * Each entry also remembers its right symbol and the combined length it had when queued, which lets the
 * encoder recognise entries made stale by later merges.
 */
final class BigramHeap {
    private long[] keys = new long[64];
    private int[] rights = new int[64];
    private int[] lengths = new int[64];
    private int size;

    /** Set by {@link #pop()}. */
    long topKey;
    int topRight;
    int topLength;

    static long key(int priority, int left) {
        return ((long) priority << 32) | (left & 0xFFFF_FFFFL);
    }

    static int left(long key) {
        return (int) key;
    }

    /** A priority that orders higher scores first (floats compared as C++ does; -0.0 equals 0.0). */
    static int descendingScore(float score) {
        int bits = Float.floatToIntBits(score == 0f ? 0f : score);
        int ascending = bits ^ ((bits >> 31) & 0x7FFF_FFFF);
        return ~ascending;
    }

    void clear() {
        size = 0;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(long key, int right, int length) {
        if (size == keys.length) {
            keys = Arrays.copyOf(keys, size * 2);
            rights = Arrays.copyOf(rights, size * 2);
            lengths = Arrays.copyOf(lengths, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            move(parent, i);
            i = parent;
        }
        keys[i] = key;
        rights[i] = right;
        lengths[i] = length;
    }

    /** Removes the smallest entry into {@link #topKey}, {@link #topRight}, {@link #topLength}. */
    void pop() {
        topKey = keys[0];
        topRight = rights[0];
        topLength = lengths[0];
        size--;
        if (size == 0) {
            return;
        }
        long key = keys[size];
        int right = rights[size];
        int length = lengths[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (key <= keys[child]) {
                break;
            }
            move(child, i);
            i = child;
        }
        keys[i] = key;
        rights[i] = right;
        lengths[i] = length;
    }

    private void move(int from, int to) {
        keys[to] = keys[from];
        rights[to] = rights[from];
        lengths[to] = lengths[from];
    }
}
