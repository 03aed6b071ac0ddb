package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q8_K: the activation format of the K-quant dot products. 256 values as a float scale {@code d}, 256 signed
 * bytes and 16 int16 sums of 16 consecutive bytes each. The scale is {@code -max / 127} where {@code max} is
 * the value of largest magnitude with its sign, so that value maps to -127 and the opposite extreme may reach
 * +128, which is clamped to 127.
 */
final class Q8_KCodec implements BlockCodec {
    static final Q8_KCodec INSTANCE = new Q8_KCodec();
    private static final int QK = 256;
    private static final int BYTES = 292;

    private Q8_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = src.get(LittleEndian.FLOAT, p);
            for (int j = 0; j < QK; j++) {
                dst[o + j] = d * LittleEndian.s8(src, p + 4 + j);
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float max = 0;
            float amax = 0;
            for (int j = 0; j < QK; j++) {
                float ax = Math.abs(src[x + j]);
                if (ax > amax) {
                    amax = ax;
                    max = src[x + j];
                }
            }
            if (amax == 0) {
                dst.asSlice(p, BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -127.f / max;
            for (int g = 0; g < QK / 16; g++) {
                int sum = 0;
                for (int j = g * 16; j < g * 16 + 16; j++) {
                    int q = Math.min(127, ScaleSearch.nearestInt(iscale * src[x + j]));
                    LittleEndian.put8(dst, p + 4 + j, q);
                    sum += q;
                }
                dst.set(LittleEndian.SHORT, p + 4 + QK + 2L * g, (short) sum);
            }
            dst.set(LittleEndian.FLOAT, p, 1 / iscale);
        }
    }
}
