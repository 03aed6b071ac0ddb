package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ4_NL: 32 values as a half scale and 16 bytes of 4-bit indices into a fixed non-linear table of 16 levels
 * (nibbles arranged as in Q4_0). The quantizer is ggml's {@code quantize_iq4_nl} without an importance matrix:
 * weights x², a search over 15 candidate scales, then every value re-picked against the final scale.
 */
final class IQ4_NLCodec implements BlockCodec {
    static final IQ4_NLCodec INSTANCE = new IQ4_NLCodec();
    /** ggml's {@code kvalues_iq4nl}. */
    static final byte[] LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    private static final int QK = 32;
    private static final int BYTES = 18;
    private static final int TRIES = 7;

    private IQ4_NLCodec() {
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            long p = offset + (long) b * BYTES;
            int o = dstOffset + b * QK;
            float d = LittleEndian.f16(src, p);
            for (int j = 0; j < QK / 2; j++) {
                int q = LittleEndian.u8(src, p + 2 + j);
                dst[o + j] = d * LEVELS[q & 0x0F];
                dst[o + j + QK / 2] = d * LEVELS[q >>> 4];
            }
        }
    }

    @Override
    public void quantize(float[] src, int srcOffset, MemorySegment dst, long dstOffset, int blocks) {
        for (int b = 0; b < blocks; b++) {
            int x = srcOffset + b * QK;
            long p = dstOffset + (long) b * BYTES;
            float scale = searchScale(src, x);
            LittleEndian.putF16(dst, p, scale);
            float id = scale != 0 ? 1 / scale : 0;
            for (int j = 0; j < QK / 2; j++) {
                int l0 = nearestLevel(id * src[x + j]);
                int l1 = nearestLevel(id * src[x + QK / 2 + j]);
                LittleEndian.put8(dst, p + 2 + j, l0 | (l1 << 4));
            }
        }
    }

    /** The least-squares scale of the best of the candidate grids, as {@code quantize_row_iq4_nl_impl}. */
    private static float searchScale(float[] src, int x) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < QK; j++) {
            float ax = Math.abs(src[x + j]);
            if (ax > amax) {
                amax = ax;
                max = src[x + j];
            }
        }
        if (amax < ScaleSearch.GROUP_MAX_EPS) {
            return 0;
        }
        float d = -max / LEVELS[0];
        float id = 1 / d;
        float sumqx = 0;
        float sumq2 = 0;
        for (int j = 0; j < QK; j++) {
            float xj = src[x + j];
            float q = LEVELS[nearestLevel(id * xj)];
            float w = xj * xj;
            sumqx += w * q * xj;
            sumq2 += w * q * q;
        }
        d = sumqx / sumq2;
        float best = d * sumqx;
        for (int itry = -TRIES; itry <= TRIES; itry++) {
            id = (itry + LEVELS[0]) / max;
            sumqx = 0;
            sumq2 = 0;
            for (int j = 0; j < QK; j++) {
                float xj = src[x + j];
                float q = LEVELS[nearestLevel(id * xj)];
                float w = xj * xj;
                sumqx += w * q * xj;
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        return d;
    }

    /** Index of the level nearest to {@code x}, ties to the upper one (ggml's {@code best_index_int8}). */
    static int nearestLevel(float x) {
        if (x <= LEVELS[0]) {
            return 0;
        }
        if (x >= LEVELS[15]) {
            return 15;
        }
        int ml = 0;
        int mu = 15;
        while (mu - ml > 1) {
            int mav = (ml + mu) / 2;
            if (x < LEVELS[mav]) {
                mu = mav;
            } else {
                ml = mav;
            }
        }
        return x - LEVELS[mu - 1] < LEVELS[mu] - x ? mu - 1 : mu;
    }
}
