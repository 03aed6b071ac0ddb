package dev.infer4j.formats.tokenizer.hf;

import java.util.Arrays;

/** Growable list of {@code [start, end)} spans, each flagged as a match (or as to be removed). */
final class Spans {
    int[] starts = new int[16];
    int[] ends = new int[16];
    boolean[] flags = new boolean[16];
    int size;

    void add(int start, int end, boolean flag) {
        if (size == starts.length) {
            starts = Arrays.copyOf(starts, size * 2);
            ends = Arrays.copyOf(ends, size * 2);
            flags = Arrays.copyOf(flags, size * 2);
        }
        starts[size] = start;
        ends[size] = end;
        flags[size] = flag;
        size++;
    }

    void invertFlags() {
        for (int i = 0; i < size; i++) {
            flags[i] = !flags[i];
        }
    }
}
