package dev.infer4j.kernels.cpu;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.Weight;

import java.lang.foreign.MemorySegment;

/** A weight read where it lies in the mapped model file. */
record MappedWeight(String name, GgmlType type, MemorySegment data, int rows, int cols) implements Weight {
    /** Bytes of one row. */
    long rowBytes() {
        return type.bytesFor(cols);
    }
}
