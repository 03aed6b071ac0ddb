package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_1: 32 values as half scale {@code d}, half minimum {@code m} and 16 bytes of 4-bit codes
 * (value = q * d + m), nibbles arranged as in Q4_0.
 */
final class Q4_1Codec implements BlockCodec {
    static final Q4_1Codec INSTANCE = new Q4_1Codec();
    private static final int QK = 32;
    private static final int BYTES = 20;

    private Q4_1Codec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            float m = LittleEndian.f16(src, p + 2);
            for (int j = 0; j < QK / 2; j++) {
                int q = LittleEndian.u8(src, p + 4 + j);
                dst[o + j] = (q & 0x0F) * d + m;
                dst[o + j + QK / 2] = (q >>> 4) * d + m;
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (int j = 0; j < QK; j++) {
                float v = src[x + j];
                if (v < min) {
                    min = v;
                }
                if (v > max) {
                    max = v;
                }
            }
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            LittleEndian.putF16(dst, p, d);
            LittleEndian.putF16(dst, p + 2, min);
            for (int j = 0; j < QK / 2; j++) {
                int q0 = Math.min(15, (int) ((src[x + j] - min) * id + 0.5f));
                int q1 = Math.min(15, (int) ((src[x + QK / 2 + j] - min) * id + 0.5f));
                LittleEndian.put8(dst, p + 4 + j, q0 | (q1 << 4));
            }
        }
    }
}
