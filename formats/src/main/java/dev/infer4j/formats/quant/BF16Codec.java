package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** bfloat16: the top 16 bits of a float, rounded like {@code ggml_fp32_to_bf16_row_ref}. */
final class BF16Codec implements BlockCodec {
    static final BF16Codec INSTANCE = new BF16Codec();

    private BF16Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int i = 0; i < blocks; i++) {
            dst[dstOffset + i] = HalfPrecision.fromBf16(src.get(LittleEndian.SHORT, offset + 2L * i));
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int i = 0; i < blocks; i++) {
            dst.set(LittleEndian.SHORT, dstOffset + 2L * i, HalfPrecision.toBf16(src[srcOffset + i]));
        }
    }
}
