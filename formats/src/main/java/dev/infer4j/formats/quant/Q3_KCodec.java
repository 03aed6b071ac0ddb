package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q3_K: 256 values in 16 groups of 16. Layout: 32 bytes of high bits (bit k of byte m is the third bit of
 * element {@code 32*k + m}), 64 bytes of low 2-bit codes (arranged as in Q2_K), 12 bytes of 6-bit signed group
 * scales and a half super-scale {@code d}; value = d * (scale - 32) * (q - 4).
 */
final class Q3_KCodec implements BlockCodec {
    static final Q3_KCodec INSTANCE = new Q3_KCodec();
    private static final int QK = 256;
    private static final int BYTES = 110;
    private static final int HMASK = 0;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    private Q3_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /** The 6-bit scale of group {@code j} (0..63, biased by 32) from the 12 packed bytes. */
    private static int scale(byte[] packed, int j) {
        int low = j < 8 ? packed[j] & 0xF : (packed[j - 8] & 0xFF) >>> 4;
        return low | (((packed[8 + j % 4] & 0xFF) >>> (2 * (j / 4)) & 3) << 4);
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        byte[] packed = new byte[12];
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int y = dstOffset + b * QK;
            float dAll = LittleEndian.f16(src, p + D);
            MemorySegment.copy(src, java.lang.foreign.ValueLayout.JAVA_BYTE, p + SCALES, packed, 0, 12);
            int is = 0;
            int m = 1;
            for (int n = 0; n < QK; n += 128) {
                long q = p + QS + n / 4;
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 2; half++) {
                        float dl = dAll * (scale(packed, is++) - 32);
                        for (int l = 0; l < 16; l++) {
                            int k = 16 * half + l;
                            int low = (LittleEndian.u8(src, q + k) >>> shift) & 3;
                            int high = (LittleEndian.u8(src, p + HMASK + k) & m) != 0 ? 0 : 4;
                            dst[y++] = dl * (low - high);
                        }
                    }
                    m <<= 1;
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        byte[] codes = new byte[QK];
        float[] scales = new float[QK / 16];
        byte[] packed = new byte[12];
        byte[] hmask = new byte[QK / 8];
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float maxScale = 0;
            float amax = 0;
            for (int j = 0; j < QK / 16; j++) {
                scales[j] = ScaleSearch.symmetricRefined(16, 4, src, x + 16 * j, codes, 16 * j);
                float scale = Math.abs(scales[j]);
                if (scale > amax) {
                    amax = scale;
                    maxScale = scales[j];
                }
            }
            java.util.Arrays.fill(packed, (byte) 0);
            short dBits;
            if (maxScale != 0) {
                float iscale = -32.f / maxScale;
                for (int j = 0; j < QK / 16; j++) {
                    int l = (byte) ScaleSearch.nearestInt(iscale * scales[j]);
                    l = Math.max(-32, Math.min(31, l)) + 32;
                    if (j < 8) {
                        packed[j] = (byte) (l & 0xF);
                    } else {
                        packed[j - 8] |= (byte) ((l & 0xF) << 4);
                    }
                    l >>= 4;
                    packed[j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
                }
                dBits = HalfPrecision.toF16(1 / iscale);
            } else {
                dBits = HalfPrecision.toF16(0.f);
            }
            float dAll = HalfPrecision.fromF16(dBits);
            for (int j = 0; j < QK / 16; j++) {
                float d = dAll * (scale(packed, j) - 32);
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = ScaleSearch.nearestInt(src[x + 16 * j + ii] / d);
                    codes[16 * j + ii] = (byte) (Math.max(-4, Math.min(3, l)) + 4);
                }
            }
            java.util.Arrays.fill(hmask, (byte) 0);
            int m = 0;
            int hm = 1;
            for (int j = 0; j < QK; j++) {
                if (codes[j] > 3) {
                    hmask[m] |= (byte) hm;
                    codes[j] -= 4;
                }
                if (++m == QK / 8) {
                    m = 0;
                    hm <<= 1;
                }
            }
            MemorySegment.copy(hmask, 0, dst, java.lang.foreign.ValueLayout.JAVA_BYTE, p + HMASK, QK / 8);
            for (int j = 0; j < QK; j += 128) {
                for (int l = 0; l < 32; l++) {
                    int v = codes[j + l] | (codes[j + l + 32] << 2) | (codes[j + l + 64] << 4) | (codes[j + l + 96] << 6);
                    LittleEndian.put8(dst, p + QS + j / 4 + l, v);
                }
            }
            MemorySegment.copy(packed, 0, dst, java.lang.foreign.ValueLayout.JAVA_BYTE, p + SCALES, 12);
            dst.set(LittleEndian.SHORT, p + D, dBits);
        }
    }
}
