package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** IEEE halves, rounded to nearest even like {@code ggml_fp32_to_fp16_row}. */
final class F16Codec implements BlockCodec {
    static final F16Codec INSTANCE = new F16Codec();

    private F16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int i = 0; i < blocks; i++) {
            dst[dstOffset + i] = Float.float16ToFloat(src.get(LittleEndian.SHORT, offset + 2L * i));
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int i = 0; i < blocks; i++) {
            dst.set(LittleEndian.SHORT, dstOffset + 2L * i, HalfPrecision.toF16(src[srcOffset + i]));
        }
    }
}
