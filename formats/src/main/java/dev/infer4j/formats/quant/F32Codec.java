package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** Plain little-endian floats. */
final class F32Codec implements BlockCodec {
    static final F32Codec INSTANCE = new F32Codec();

    private F32Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        MemorySegment.copy(src, LittleEndian.FLOAT, offset, dst, dstOffset, blocks);
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        MemorySegment.copy(src, srcOffset, dst, LittleEndian.FLOAT, dstOffset, blocks);
    }
}
