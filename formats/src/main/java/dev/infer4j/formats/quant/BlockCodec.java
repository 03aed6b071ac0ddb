package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Conversion between floats and one ggml type's blocks. Implementations are stateless singletons; the
 * quantizers of the K-types take their scratch arrays per call, the others allocate nothing.
 */
interface BlockCodec {

    /** The type whose blocks this codec reads and writes. */
    GgmlType type();

    /** Writes {@code blocks * blockSize} floats decoded from the blocks starting at byte {@code offset}. */
    void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks);

    /** Encodes {@code blocks * blockSize} floats into blocks starting at byte {@code dstOffset}. */
    void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks);
}
