package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K: 256 values in 8 groups of 32. Layout: half {@code d}, half {@code dmin}, 12 bytes of 6-bit scales and
 * mins ({@link ScaleMinPacking}), 128 bytes of 4-bit codes; value = d*scale*q - dmin*min. Each 32-byte run of
 * codes holds group 2i in its low nibbles and group 2i+1 in its high nibbles.
 */
final class Q4_KCodec implements BlockCodec {
    static final Q4_KCodec INSTANCE = new Q4_KCodec();
    private static final int QK = 256;
    private static final int BYTES = 144;
    private static final int SCALES = 4;
    private static final int QS = 16;

    private Q4_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
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
            for (int g = 0; g < 8; g += 2) {
                float d1 = d * ScaleMinPacking.scale(packed, g);
                float m1 = min * ScaleMinPacking.min(packed, g);
                float d2 = d * ScaleMinPacking.scale(packed, g + 1);
                float m2 = min * ScaleMinPacking.min(packed, g + 1);
                long q = p + QS + 16L * g;
                for (int l = 0; l < 32; l++) {
                    dst[y + l] = d1 * (LittleEndian.u8(src, q + l) & 0xF) - m1;
                    dst[y + 32 + l] = d2 * (LittleEndian.u8(src, q + l) >>> 4) - m2;
                }
                y += 64;
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
                scales[j] = ScaleSearch.asymmetric(32, 15, src, x + 32 * j, weights, codes, 32 * j, mins, j, scratch,
                        -1.f, 0.1f, 20, false);
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
                    codes[32 * j + ii] = (byte) Math.max(0, Math.min(15, l));
                }
            }
            dst.set(LittleEndian.SHORT, p, dBits);
            dst.set(LittleEndian.SHORT, p + 2, dminBits);
            MemorySegment.copy(packed, 0, dst, java.lang.foreign.ValueLayout.JAVA_BYTE, p + SCALES, ScaleMinPacking.BYTES);
            for (int j = 0; j < QK; j += 64) {
                for (int l = 0; l < 32; l++) {
                    LittleEndian.put8(dst, p + QS + j / 2 + l, codes[j + l] | (codes[j + l + 32] << 4));
                }
            }
        }
    }
}
