package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q8_0: 32 values as half scale {@code d = amax / 127} and 32 signed bytes (value = q * d). The same format
 * carries the activations of the Q4_0 / Q5_0 / Q8_0 / IQ4_NL dot products.
 */
final class Q8_0Codec implements BlockCodec {
    static final Q8_0Codec INSTANCE = new Q8_0Codec();
    private static final int QK = 32;
    private static final int BYTES = 34;

    private Q8_0Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            for (int j = 0; j < QK; j++) {
                dst[o + j] = LittleEndian.s8(src, p + 2 + j) * d;
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
            for (int j = 0; j < QK; j++) {
                LittleEndian.put8(dst, p + 2 + j, ScaleSearch.roundHalfAway(src[x + j] * id));
            }
        }
    }
}
