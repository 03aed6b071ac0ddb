package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q8_1: Q8_0 plus the half {@code s = d * sum(q)}; the activation format of the Q4_1 / Q5_1 dot products,
 * where {@code s} folds the weights' minimum into one multiply.
 */
final class Q8_1Codec implements BlockCodec {
    static final Q8_1Codec INSTANCE = new Q8_1Codec();
    private static final int QK = 32;
    private static final int BYTES = 36;

    private Q8_1Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            for (int j = 0; j < QK; j++) {
                dst[o + j] = LittleEndian.s8(src, p + 4 + j) * d;
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float amax = 0;
            for (int j = 0; j < QK; j++) {
                float a = Math.abs(src[x + j]);
                amax = amax > a ? amax : a;
            }
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, p, d);
            int sum = 0;
            for (int j = 0; j < QK; j++) {
                int q = ScaleSearch.roundHalfAway(src[x + j] * id);
                LittleEndian.put8(dst, p + 4 + j, q);
                sum += (byte) q;
            }
            LittleEndian.putF16(dst, p + 2, sum * d);
        }
    }
}
