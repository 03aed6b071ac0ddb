package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q2_K: 256 values in 16 groups of 16. Layout: 16 bytes of 4-bit (scale, min) pairs, 64 bytes of 2-bit codes,
 * half super-scale {@code d}, half super-min {@code dmin}; value = d*scale*q - dmin*min. Code byte
 * {@code 32*h + l} holds elements {@code 128*h + l + 32*k} for k = 0..3 at bit 2k.
 */
final class Q2_KCodec implements BlockCodec {
    static final Q2_KCodec INSTANCE = new Q2_KCodec();
    private static final int QK = 256;
    private static final int BYTES = 84;
    private static final int SCALES = 0;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;

    private Q2_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int y = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p + D);
            float min = LittleEndian.f16(src, p + DMIN);
            int is = 0;
            for (int n = 0; n < QK; n += 128) {
                long q = p + QS + n / 4;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 2; half++) {
                        int sc = LittleEndian.u8(src, p + SCALES + is++);
                        float dl = d * (sc & 0xF);
                        float ml = min * (sc >>> 4);
                        for (int l = 0; l < 16; l++) {
                            dst[y++] = dl * ((LittleEndian.u8(src, q + 16 * half + l) >>> shift) & 3) - ml;
                        }
                    }
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        byte[] codes = new byte[QK];
        byte[] scratch = new byte[16];
        float[] weights = new float[16];
        float[] mins = new float[QK / 16];
        float[] scales = new float[QK / 16];
        byte[] packedScales = new byte[QK / 16];
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float maxScale = 0;
            float maxMin = 0;
            for (int j = 0; j < QK / 16; j++) {
                for (int l = 0; l < 16; l++) {
                    weights[l] = Math.abs(src[x + 16 * j + l]);
                }
                scales[j] = ScaleSearch.asymmetric(16, 3, src, x + 16 * j, weights, codes, 16 * j, mins, j, scratch,
                        -0.5f, 0.1f, 15, true);
                if (scales[j] > maxScale) {
                    maxScale = scales[j];
                }
                if (mins[j] > maxMin) {
                    maxMin = mins[j];
                }
            }
            short dBits;
            if (maxScale > 0) {
                float iscale = 15.f / maxScale;
                for (int j = 0; j < QK / 16; j++) {
                    packedScales[j] = (byte) ScaleSearch.nearestInt(iscale * scales[j]);
                }
                dBits = HalfPrecision.toF16(maxScale / 15.f);
            } else {
                java.util.Arrays.fill(packedScales, (byte) 0);
                dBits = HalfPrecision.toF16(0.f);
            }
            short dminBits;
            if (maxMin > 0) {
                float iscale = 15.f / maxMin;
                for (int j = 0; j < QK / 16; j++) {
                    packedScales[j] |= (byte) (ScaleSearch.nearestInt(iscale * mins[j]) << 4);
                }
                dminBits = HalfPrecision.toF16(maxMin / 15.f);
            } else {
                dminBits = HalfPrecision.toF16(0.f);
            }
            float dAll = HalfPrecision.fromF16(dBits);
            float dminAll = HalfPrecision.fromF16(dminBits);
            for (int j = 0; j < QK / 16; j++) {
                int sc = packedScales[j] & 0xFF;
                float d = dAll * (sc & 0xF);
                if (d == 0) {
                    continue;
                }
                float dm = dminAll * (sc >>> 4);
                for (int ii = 0; ii < 16; ii++) {
                    int l = ScaleSearch.nearestInt((src[x + 16 * j + ii] + dm) / d);
                    codes[16 * j + ii] = (byte) Math.max(0, Math.min(3, l));
                }
            }
            for (int j = 0; j < QK / 16; j++) {
                LittleEndian.put8(dst, p + SCALES + j, packedScales[j]);
            }
            for (int j = 0; j < QK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    int v = codes[j + l] | (codes[j + l + 32] << 2) | (codes[j + l + 64] << 4) | (codes[j + l + 96] << 6);
                    LittleEndian.put8(dst, p + QS + j / 4 + l, v);
                }
            }
            dst.set(LittleEndian.SHORT, p + D, dBits);
            dst.set(LittleEndian.SHORT, p + DMIN, dminBits);
        }
    }
}
