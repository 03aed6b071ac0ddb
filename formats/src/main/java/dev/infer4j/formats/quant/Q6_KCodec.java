package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K: 256 values in 16 groups of 16. Layout: 128 bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 signed
 * byte scales, half super-scale {@code d}; value = d * scale * (q - 32). Within each half of 128 values, element
 * {@code l + 32k} has its low nibble in {@code ql[l + 32*(k%2)]} (high nibble when k >= 2) and its top bits at
 * bit 2k of {@code qh[l]}.
 */
final class Q6_KCodec implements BlockCodec {
    static final Q6_KCodec INSTANCE = new Q6_KCodec();
    private static final int QK = 256;
    private static final int BYTES = 210;
    private static final int QL = 0;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    private Q6_KCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            float d = LittleEndian.f16(src, p + D);
            for (int n = 0; n < 2; n++) {
                int y = dstOffset + b * QK + 128 * n;
                long ql = p + QL + 64L * n;
                long qh = p + QH + 32L * n;
                long sc = p + SCALES + 8L * n;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int lo0 = LittleEndian.u8(src, ql + l);
                    int lo1 = LittleEndian.u8(src, ql + l + 32);
                    int h = LittleEndian.u8(src, qh + l);
                    int q1 = ((lo0 & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((lo1 & 0xF) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((lo0 >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((lo1 >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    dst[y + l] = d * LittleEndian.s8(src, sc + is) * q1;
                    dst[y + l + 32] = d * LittleEndian.s8(src, sc + is + 2) * q2;
                    dst[y + l + 64] = d * LittleEndian.s8(src, sc + is + 4) * q3;
                    dst[y + l + 96] = d * LittleEndian.s8(src, sc + is + 6) * q4;
                }
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        byte[] codes = new byte[QK];
        float[] scales = new float[QK / 16];
        byte[] packedScales = new byte[QK / 16];
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float maxScale = 0;
            float maxAbsScale = 0;
            for (int ib = 0; ib < QK / 16; ib++) {
                float scale = ScaleSearch.symmetric(16, 32, src, x + 16 * ib, codes, 16 * ib);
                scales[ib] = scale;
                float abs = Math.abs(scale);
                if (abs > maxAbsScale) {
                    maxAbsScale = abs;
                    maxScale = scale;
                }
            }
            if (maxAbsScale < ScaleSearch.GROUP_MAX_EPS) {
                dst.asSlice(p, BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -128.f / maxScale;
            short dBits = HalfPrecision.toF16(1 / iscale);
            for (int ib = 0; ib < QK / 16; ib++) {
                packedScales[ib] = (byte) Math.min(127, ScaleSearch.nearestInt(iscale * scales[ib]));
            }
            float dAll = HalfPrecision.fromF16(dBits);
            for (int j = 0; j < QK / 16; j++) {
                float d = dAll * packedScales[j];
                if (d == 0) {
                    continue;
                }
                for (int ii = 0; ii < 16; ii++) {
                    int l = ScaleSearch.nearestInt(src[x + 16 * j + ii] / d);
                    codes[16 * j + ii] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
                }
            }
            for (int j = 0; j < QK; j += 128) {
                long ql = p + QL + j / 2;
                long qh = p + QH + j / 4;
                for (int l = 0; l < 32; l++) {
                    int c1 = codes[j + l];
                    int c2 = codes[j + l + 32];
                    int c3 = codes[j + l + 64];
                    int c4 = codes[j + l + 96];
                    LittleEndian.put8(dst, ql + l, (c1 & 0xF) | ((c3 & 0xF) << 4));
                    LittleEndian.put8(dst, ql + l + 32, (c2 & 0xF) | ((c4 & 0xF) << 4));
                    LittleEndian.put8(dst, qh + l, (c1 >>> 4) | ((c2 >>> 4) << 2) | ((c3 >>> 4) << 4) | ((c4 >>> 4) << 6));
                }
            }
            MemorySegment.copy(packedScales, 0, dst, java.lang.foreign.ValueLayout.JAVA_BYTE, p + SCALES, QK / 16);
            dst.set(LittleEndian.SHORT, p + D, dBits);
        }
    }
}
