package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: Q4_K plus a fifth bit per value. Layout: half {@code d}, half {@code dmin}, 12 bytes of scales and mins,
 * 32 bytes of high bits (bit 2i / 2i+1 of byte l is the fifth bit of element l of group 2i / 2i+1), 128 bytes of
 * low nibbles arranged as in Q4_K.
 */
final class Q5_KCodec implements BlockCodec {
    static final Q5_KCodec INSTANCE = new Q5_KCodec();
    private static final int QK = 256;
    private static final int BYTES = 176;
    private static final int SCALES = 4;
    private static final int QH = 16;
    private static final int QS = 48;

    private Q5_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        byte[] packed = new byte[ScaleMinPacking.BYTES];
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int y = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            float min = LittleEndian.f16(src, p + 2);
            ScaleMinPacking.read(src, p + SCALES, packed);
            int u1 = 1;
            int u2 = 2;
            for (int g = 0; g < 8; g += 2) {
                float d1 = d * ScaleMinPacking.scale(packed, g);
                float m1 = min * ScaleMinPacking.min(packed, g);
                float d2 = d * ScaleMinPacking.scale(packed, g + 1);
                float m2 = min * ScaleMinPacking.min(packed, g + 1);
                long ql = p + QS + 16L * g;
                for (int l = 0; l < 32; l++) {
                    int q = LittleEndian.u8(src, ql + l);
                    int h = LittleEndian.u8(src, p + QH + l);
                    dst[y + l] = d1 * ((q & 0xF) + ((h & u1) != 0 ? 16 : 0)) - m1;
                    dst[y + 32 + l] = d2 * ((q >>> 4) + ((h & u2) != 0 ? 16 : 0)) - m2;
                }
                y += 64;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        byte[] codes = new byte[QK];
        byte[] scratch = new byte[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        byte[] packed = new byte[ScaleMinPacking.BYTES];
        byte[] qh = new byte[32];
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) {
                    sumX2 += src[x + 32 * j + l] * src[x + 32 * j + l];
                }
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) {
                    weights[l] = avX + Math.abs(src[x + 32 * j + l]);
                }
                scales[j] = ScaleSearch.asymmetric(32, 31, src, x + 32 * j, weights, codes, 32 * j, mins, j, scratch,
                        -0.5f, 0.1f, 15, false);
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            ScaleMinPacking.encode(scales, mins, maxScale, maxMin, packed);
            short dBits = HalfPrecision.toF16(maxScale / 63.f);
            short dminBits = HalfPrecision.toF16(maxMin / 63.f);
            float dAll = HalfPrecision.fromF16(dBits);
            float dminAll = HalfPrecision.fromF16(dminBits);
            for (int j = 0; j < 8; j++) {
                float d = dAll * ScaleMinPacking.scale(packed, j);
                if (d == 0) {
                    continue;
                }
                float dm = dminAll * ScaleMinPacking.min(packed, j);
                for (int ii = 0; ii < 32; ii++) {
                    int l = ScaleSearch.nearestInt((src[x + 32 * j + ii] + dm) / d);
                    codes[32 * j + ii] = (byte) Math.max(0, Math.min(31, l));
                }
            }
            dst.set(LittleEndian.SHORT, p, dBits);
            dst.set(LittleEndian.SHORT, p + 2, dminBits);
            MemorySegment.copy(packed, 0, dst, java.lang.foreign.ValueLayout.JAVA_BYTE, p + SCALES, ScaleMinPacking.BYTES);
            java.util.Arrays.fill(qh, (byte) 0);
            int m1 = 1;
            int m2 = 2;
            for (int n = 0; n < QK; n += 64) {
                for (int j = 0; j < 32; j++) {
                    int l1 = codes[n + j];
                    if (l1 > 15) {
                        l1 -= 16;
                        qh[j] |= (byte) m1;
                    }
                    int l2 = codes[n + j + 32];
                    if (l2 > 15) {
                        l2 -= 16;
                        qh[j] |= (byte) m2;
                    }
                    LittleEndian.put8(dst, p + QS + n / 2 + j, l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
            MemorySegment.copy(qh, 0, dst, java.lang.foreign.ValueLayout.JAVA_BYTE, p + QH, 32);
        }
    }
}
