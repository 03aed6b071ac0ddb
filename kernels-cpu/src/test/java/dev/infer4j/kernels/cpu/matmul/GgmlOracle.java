package dev.infer4j.kernels.cpu.matmul;

import dev.infer4j.formats.gguf.GgmlType;

/**
 * Test oracle: plain scalar transcriptions of ggml's activation quantizers (as its x86 CPU backend runs
 * them), its generic {@code ggml_vec_dot_*} functions (same integer arithmetic, same float accumulation order)
 * and its {@code dequantize_row_*} functions. Written from the layouts and algorithms of llama.cpp's
 * {@code ggml-quants.c} and {@code ggml-cpu/quants.c}; deliberately sharing no code with the kernels.
 */
final class GgmlOracle {

    static final int[] IQ4_NL_VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private GgmlOracle() {
    }

    /** Quantized activations of one row: quants, per-block scale (decoded), Q8_1 sums, Q8_K 16-sums. */
    record Q8Row(byte[] qs, float[] d, float[] s, short[] bsums) {
        /** The dequantized activations {@code q·d}. */
        float[] dequantized() {
            int block = qs.length / d.length;
            float[] x = new float[qs.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = qs[i] * d[i / block];
            }
            return x;
        }
    }

    // ---------------------------------------------------------------- activation quantizers

    /** ggml-cpu x86 {@code quantize_row_q8_0}/{@code q8_1}: d = amax/127 (F16), q = rint(x·127/amax). */
    static Q8Row quantizeQ8(float[] x, int off, int n, boolean withSums) {
        int nb = n / 32;
        byte[] qs = new byte[n];
        float[] d = new float[nb];
        float[] s = withSums ? new float[nb] : null;
        for (int b = 0; b < nb; b++) {
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[off + b * 32 + j]));
            }
            float dd = amax / 127f;
            float id = amax != 0f ? 127f / amax : 0f;
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                int q = (int) Math.rint(x[off + b * 32 + j] * id);
                qs[b * 32 + j] = (byte) q;
                sum += q;
            }
            d[b] = f16(dd);
            if (withSums) {
                s[b] = f16(dd * sum);
            }
        }
        return new Q8Row(qs, d, s, null);
    }

    /** ggml's {@code quantize_row_q8_K_ref}. */
    static Q8Row quantizeQ8K(float[] x, int off, int n) {
        int nb = n / 256;
        byte[] qs = new byte[n];
        float[] d = new float[nb];
        short[] bsums = new short[n / 16];
        for (int b = 0; b < nb; b++) {
            int base = off + b * 256;
            float max = 0f;
            float amax = 0f;
            for (int j = 0; j < 256; j++) {
                float ax = Math.abs(x[base + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[base + j];
                }
            }
            if (amax == 0f) {
                d[b] = 0f;
                continue;
            }
            float iscale = -127f / max;
            for (int j = 0; j < 256; j++) {
                int v = nearestInt(iscale * x[base + j]);
                qs[b * 256 + j] = (byte) Math.min(127, v);
            }
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    sum += qs[b * 256 + g * 16 + i];
                }
                bsums[b * 16 + g] = (short) sum;
            }
            d[b] = 1f / iscale;
        }
        return new Q8Row(qs, d, null, bsums);
    }

    static int nearestInt(float v) {
        float val = v + 12582912f;
        int i = Float.floatToRawIntBits(val);
        return (i & 0x007fffff) - 0x00400000;
    }

    static float f16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    static float bf16(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return Float.intBitsToFloat(((u >>> 16) | 64) << 16);
        }
        return Float.intBitsToFloat(((u + (0x7fff + ((u >>> 16) & 1))) >>> 16) << 16);
    }

    static ActivationFormat formatFor(GgmlType type) {
        return switch (type) {
            case F32 -> ActivationFormat.F32;
            case F16 -> ActivationFormat.F16;
            case BF16 -> ActivationFormat.BF16;
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> ActivationFormat.Q8_0;
            case Q4_1, Q5_1 -> ActivationFormat.Q8_1;
            default -> ActivationFormat.Q8_K;
        };
    }

    // ---------------------------------------------------------------- dot products

    /** ggml's dot product of one weight row (at {@code off} in {@code w}) with one activation row {@code x}. */
    static float dot(GgmlType type, byte[] w, int off, int cols, float[] x, int xOff) {
        return switch (type) {
            case F32 -> {
                double sum = 0;
                for (int i = 0; i < cols; i++) {
                    sum += getFloat(w, off + 4 * i) * x[xOff + i];
                }
                yield (float) sum;
            }
            case F16 -> {
                double sum = 0;
                for (int i = 0; i < cols; i++) {
                    sum += Float.float16ToFloat(getShort(w, off + 2 * i)) * f16(x[xOff + i]);
                }
                yield (float) sum;
            }
            case BF16 -> {
                double sum = 0;
                for (int i = 0; i < cols; i++) {
                    sum += Float.intBitsToFloat((getShort(w, off + 2 * i) & 0xffff) << 16) * bf16(x[xOff + i]);
                }
                yield (float) sum;
            }
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> dot32(type, w, off, cols, quantizeQ8(x, xOff, cols, false));
            case Q4_1, Q5_1 -> dot32(type, w, off, cols, quantizeQ8(x, xOff, cols, true));
            default -> dotK(type, w, off, cols, quantizeQ8K(x, xOff, cols));
        };
    }

    static float dot32(GgmlType type, byte[] w, int off, int cols, Q8Row y) {
        int nb = cols / 32;
        float sumf = 0f;
        for (int ib = 0; ib < nb; ib++) {
            int o = off + ib * type.typeSize();
            int yq = ib * 32;
            float dx = Float.float16ToFloat(getShort(w, o));
            float dy = y.d()[ib];
            switch (type) {
                case Q8_0 -> {
                    int sumi = 0;
                    for (int j = 0; j < 32; j++) {
                        sumi += w[o + 2 + j] * y.qs()[yq + j];
                    }
                    sumf += sumi * (dx * dy);
                }
                case Q4_0 -> {
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        int v0 = (w[o + 2 + j] & 0x0F) - 8;
                        int v1 = ((w[o + 2 + j] & 0xFF) >> 4) - 8;
                        sumi0 += v0 * y.qs()[yq + j];
                        sumi1 += v1 * y.qs()[yq + j + 16];
                    }
                    int sumi = sumi0 + sumi1;
                    sumf += sumi * dx * dy;
                }
                case Q4_1 -> {
                    float m = Float.float16ToFloat(getShort(w, o + 2));
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        sumi0 += (w[o + 4 + j] & 0x0F) * y.qs()[yq + j];
                        sumi1 += ((w[o + 4 + j] & 0xFF) >> 4) * y.qs()[yq + j + 16];
                    }
                    int sumi = sumi0 + sumi1;
                    sumf += (dx * dy) * sumi + m * y.s()[ib];
                }
                case Q5_0 -> {
                    int qh = getInt(w, o + 2);
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        int xh0 = ((qh >>> j) << 4) & 0x10;
                        int xh1 = (qh >>> (j + 12)) & 0x10;
                        int x0 = ((w[o + 6 + j] & 0x0F) | xh0) - 16;
                        int x1 = (((w[o + 6 + j] & 0xFF) >> 4) | xh1) - 16;
                        sumi0 += x0 * y.qs()[yq + j];
                        sumi1 += x1 * y.qs()[yq + j + 16];
                    }
                    int sumi = sumi0 + sumi1;
                    sumf += (dx * dy) * sumi;
                }
                case Q5_1 -> {
                    float m = Float.float16ToFloat(getShort(w, o + 2));
                    int qh = getInt(w, o + 4);
                    int sumi0 = 0;
                    int sumi1 = 0;
                    for (int j = 0; j < 16; j++) {
                        int xh0 = ((qh >>> j) << 4) & 0x10;
                        int xh1 = (qh >>> (j + 12)) & 0x10;
                        int x0 = (w[o + 8 + j] & 0x0F) | xh0;
                        int x1 = ((w[o + 8 + j] & 0xFF) >> 4) | xh1;
                        sumi0 += x0 * y.qs()[yq + j];
                        sumi1 += x1 * y.qs()[yq + j + 16];
                    }
                    int sumi = sumi0 + sumi1;
                    sumf += (dx * dy) * sumi + m * y.s()[ib];
                }
                case IQ4_NL -> {
                    float d = dy * dx;
                    int sumi1 = 0;
                    int sumi2 = 0;
                    for (int j = 0; j < 16; j++) {
                        sumi1 += y.qs()[yq + j] * IQ4_NL_VALUES[w[o + 2 + j] & 0xF];
                        sumi2 += y.qs()[yq + j + 16] * IQ4_NL_VALUES[(w[o + 2 + j] & 0xFF) >> 4];
                    }
                    sumf += d * (sumi1 + sumi2);
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        return sumf;
    }

    static float dotK(GgmlType type, byte[] w, int off, int cols, Q8Row y) {
        int nb = cols / 256;
        float[] sums = new float[8];
        float sumf = 0f;
        for (int i = 0; i < nb; i++) {
            int o = off + i * type.typeSize();
            int yq = i * 256;
            float yd = y.d()[i];
            switch (type) {
                case Q2_K -> {
                    int summs = 0;
                    for (int j = 0; j < 16; j++) {
                        summs += y.bsums()[i * 16 + j] * ((w[o + j] & 0xFF) >> 4);
                    }
                    float dall = yd * Float.float16ToFloat(getShort(w, o + 80));
                    float dmin = yd * Float.float16ToFloat(getShort(w, o + 82));
                    int isum = 0;
                    int is = 0;
                    int q8 = yq;
                    for (int k = 0; k < 2; k++) {
                        int q2 = o + 16 + 32 * k;
                        for (int shift = 0; shift < 8; shift += 2) {
                            int d = w[o + is++] & 0xF;
                            int isuml = 0;
                            for (int l = 0; l < 16; l++) {
                                isuml += y.qs()[q8 + l] * (((w[q2 + l] & 0xFF) >> shift) & 3);
                            }
                            isum += d * isuml;
                            d = w[o + is++] & 0xF;
                            isuml = 0;
                            for (int l = 16; l < 32; l++) {
                                isuml += y.qs()[q8 + l] * (((w[q2 + l] & 0xFF) >> shift) & 3);
                            }
                            isum += d * isuml;
                            q8 += 32;
                        }
                    }
                    sumf += dall * isum - dmin * summs;
                }
                case Q3_K, Q4_K, Q5_K, Q6_K -> {
                    byte[] aux8 = unpackValues(type, w, o);
                    int[] scales = subBlockScales(type, w, o);
                    int groupSize = type == GgmlType.Q4_K || type == GgmlType.Q5_K ? 32 : 16;
                    int[] aux32 = new int[8];
                    for (int j = 0; j < 256; j += 8) {
                        int scale = scales[j / groupSize];
                        for (int l = 0; l < 8; l++) {
                            short aux16 = (short) (y.qs()[yq + j + l] * aux8[j + l]);
                            aux32[l] += scale * aux16;
                        }
                    }
                    int dOffset = switch (type) {
                        case Q3_K -> 108;
                        case Q6_K -> 208;
                        default -> 0;
                    };
                    float d = Float.float16ToFloat(getShort(w, o + dOffset)) * yd;
                    for (int l = 0; l < 8; l++) {
                        sums[l] += d * aux32[l];
                    }
                    if (type == GgmlType.Q4_K || type == GgmlType.Q5_K) {
                        int[] mins = kMins(w, o);
                        int sumi = 0;
                        for (int j = 0; j < 16; j++) {
                            sumi += y.bsums()[i * 16 + j] * mins[j / 2];
                        }
                        float dmin = Float.float16ToFloat(getShort(w, o + 2)) * yd;
                        sumf -= dmin * sumi;
                    }
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
        for (int l = 0; l < 8; l++) {
            sumf += sums[l];
        }
        return sumf;
    }

    /** The 256 signed integer values of a Q3_K..Q6_K super-block, before scales (ggml's {@code aux8}). */
    static byte[] unpackValues(GgmlType type, byte[] w, int o) {
        byte[] a = new byte[256];
        switch (type) {
            case Q3_K -> {
                int m = 1;
                int ai = 0;
                for (int h = 0; h < 2; h++) {
                    int q3 = o + 32 + 32 * h;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int l = 0; l < 32; l++) {
                            int v = ((w[q3 + l] & 0xFF) >> shift) & 3;
                            a[ai + l] = (byte) (v - ((w[o + l] & m) != 0 ? 0 : 4));
                        }
                        ai += 32;
                        m <<= 1;
                    }
                }
            }
            case Q4_K, Q5_K -> {
                int qs = o + (type == GgmlType.Q4_K ? 16 : 48);
                int m = 1;
                for (int j = 0; j < 4; j++) {
                    for (int l = 0; l < 32; l++) {
                        int lo = w[qs + 32 * j + l] & 0xF;
                        int hi = (w[qs + 32 * j + l] & 0xFF) >> 4;
                        if (type == GgmlType.Q5_K) {
                            lo += (w[o + 16 + l] & m) != 0 ? 16 : 0;
                            hi += (w[o + 16 + l] & (m << 1)) != 0 ? 16 : 0;
                        }
                        a[64 * j + l] = (byte) lo;
                        a[64 * j + 32 + l] = (byte) hi;
                    }
                    m <<= 2;
                }
            }
            case Q6_K -> {
                for (int h = 0; h < 2; h++) {
                    int ql = o + 64 * h;
                    int qh = o + 128 + 32 * h;
                    for (int l = 0; l < 32; l++) {
                        int hb = w[qh + l] & 0xFF;
                        a[128 * h + l] = (byte) (((w[ql + l] & 0xF) | ((hb & 3) << 4)) - 32);
                        a[128 * h + l + 32] = (byte) (((w[ql + l + 32] & 0xF) | (((hb >> 2) & 3) << 4)) - 32);
                        a[128 * h + l + 64] = (byte) ((((w[ql + l] & 0xFF) >> 4) | (((hb >> 4) & 3) << 4)) - 32);
                        a[128 * h + l + 96] = (byte) ((((w[ql + l + 32] & 0xFF) >> 4) | (((hb >> 6) & 3) << 4)) - 32);
                    }
                }
            }
            default -> throw new IllegalArgumentException(type.toString());
        }
        return a;
    }

    /** Integer scale of each sub-block (16 values for Q3_K/Q6_K, 32 for Q4_K/Q5_K), Q3_K's already minus 32. */
    static int[] subBlockScales(GgmlType type, byte[] w, int o) {
        return switch (type) {
            case Q3_K -> {
                int a0 = getInt(w, o + 96);
                int a1 = getInt(w, o + 100);
                int tmp = getInt(w, o + 104);
                int[] words = {
                    (a0 & 0x0f0f0f0f) | (((tmp) & 0x03030303) << 4),
                    (a1 & 0x0f0f0f0f) | (((tmp >>> 2) & 0x03030303) << 4),
                    ((a0 >>> 4) & 0x0f0f0f0f) | (((tmp >>> 4) & 0x03030303) << 4),
                    ((a1 >>> 4) & 0x0f0f0f0f) | (((tmp >>> 6) & 0x03030303) << 4)};
                int[] s = new int[16];
                for (int j = 0; j < 16; j++) {
                    s[j] = (byte) (words[j / 4] >>> (8 * (j % 4))) - 32;
                }
                yield s;
            }
            case Q4_K, Q5_K -> {
                int[] s = new int[8];
                for (int j = 0; j < 8; j++) {
                    s[j] = scaleMinK4(j, w, o + 4)[0];
                }
                yield s;
            }
            case Q6_K -> {
                int[] s = new int[16];
                for (int j = 0; j < 16; j++) {
                    s[j] = w[o + 192 + j];
                }
                yield s;
            }
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static int[] kMins(byte[] w, int o) {
        int[] m = new int[8];
        for (int j = 0; j < 8; j++) {
            m[j] = scaleMinK4(j, w, o + 4)[1];
        }
        return m;
    }

    /** ggml's {@code get_scale_min_k4}: 6-bit scale and min of sub-block {@code j} from the 12 packed bytes. */
    static int[] scaleMinK4(int j, byte[] w, int q) {
        int sc;
        int m;
        if (j < 4) {
            sc = w[q + j] & 63;
            m = w[q + j + 4] & 63;
        } else {
            sc = (w[q + j + 4] & 0xF) | (((w[q + j - 4] & 0xFF) >> 6) << 4);
            m = ((w[q + j + 4] & 0xFF) >> 4) | (((w[q + j] & 0xFF) >> 6) << 4);
        }
        return new int[] {sc, m};
    }

    // ---------------------------------------------------------------- dequantization

    /**
     * ggml's {@code dequantize_row_*} of {@code n} values at {@code off}; when {@code magnitude} is given it
     * receives, per value, |scale part| + |min part| (a bound on what the value's terms weigh in a sum).
     */
    static void dequantize(GgmlType type, byte[] w, int off, int n, float[] y, float[] magnitude) {
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = getFloat(w, off + 4 * i);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = Float.float16ToFloat(getShort(w, off + 2 * i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    y[i] = Float.intBitsToFloat((getShort(w, off + 2 * i) & 0xffff) << 16);
                }
            }
            default -> {
                int bs = type.blockSize();
                for (int b = 0; b < n / bs; b++) {
                    dequantizeBlock(type, w, off + b * type.typeSize(), y, b * bs, magnitude);
                }
            }
        }
        if (magnitude != null && !type.isQuantized()) {
            for (int i = 0; i < n; i++) {
                magnitude[i] = Math.abs(y[i]);
            }
        }
    }

    private static void dequantizeBlock(GgmlType type, byte[] w, int o, float[] y, int yo, float[] mag) {
        float d = Float.float16ToFloat(getShort(w, o));
        switch (type) {
            case Q8_0 -> {
                for (int j = 0; j < 32; j++) {
                    put(y, mag, yo + j, w[o + 2 + j] * d, 0f);
                }
            }
            case Q4_0, IQ4_NL -> {
                for (int j = 0; j < 16; j++) {
                    int lo = w[o + 2 + j] & 0xF;
                    int hi = (w[o + 2 + j] & 0xFF) >> 4;
                    if (type == GgmlType.Q4_0) {
                        put(y, mag, yo + j, (lo - 8) * d, 0f);
                        put(y, mag, yo + j + 16, (hi - 8) * d, 0f);
                    } else {
                        put(y, mag, yo + j, d * IQ4_NL_VALUES[lo], 0f);
                        put(y, mag, yo + j + 16, d * IQ4_NL_VALUES[hi], 0f);
                    }
                }
            }
            case Q4_1 -> {
                float m = Float.float16ToFloat(getShort(w, o + 2));
                for (int j = 0; j < 16; j++) {
                    put(y, mag, yo + j, (w[o + 4 + j] & 0xF) * d + m, -m);
                    put(y, mag, yo + j + 16, ((w[o + 4 + j] & 0xFF) >> 4) * d + m, -m);
                }
            }
            case Q5_0, Q5_1 -> {
                boolean q51 = type == GgmlType.Q5_1;
                float m = q51 ? Float.float16ToFloat(getShort(w, o + 2)) : 0f;
                int qh = getInt(w, o + (q51 ? 4 : 2));
                int qs = o + (q51 ? 8 : 6);
                for (int j = 0; j < 16; j++) {
                    int xh0 = ((qh >>> j) << 4) & 0x10;
                    int xh1 = (qh >>> (j + 12)) & 0x10;
                    int x0 = (w[qs + j] & 0xF) | xh0;
                    int x1 = ((w[qs + j] & 0xFF) >> 4) | xh1;
                    if (q51) {
                        put(y, mag, yo + j, x0 * d + m, -m);
                        put(y, mag, yo + j + 16, x1 * d + m, -m);
                    } else {
                        put(y, mag, yo + j, (x0 - 16) * d, 0f);
                        put(y, mag, yo + j + 16, (x1 - 16) * d, 0f);
                    }
                }
            }
            case Q2_K -> {
                float dd = Float.float16ToFloat(getShort(w, o + 80));
                float min = Float.float16ToFloat(getShort(w, o + 82));
                int is = 0;
                int yi = yo;
                for (int k = 0; k < 2; k++) {
                    int q = o + 16 + 32 * k;
                    for (int shift = 0; shift < 8; shift += 2) {
                        for (int half = 0; half < 2; half++) {
                            int sc = w[o + is++] & 0xFF;
                            float dl = dd * (sc & 0xF);
                            float ml = min * (sc >> 4);
                            for (int l = 0; l < 16; l++) {
                                put(y, mag, yi++, dl * (((w[q + 16 * half + l] & 0xFF) >> shift) & 3) - ml, ml);
                            }
                        }
                    }
                }
            }
            case Q3_K -> {
                float dAll = Float.float16ToFloat(getShort(w, o + 108));
                byte[] a = unpackValues(type, w, o);
                int[] sc = subBlockScales(type, w, o);
                for (int j = 0; j < 256; j++) {
                    put(y, mag, yo + j, dAll * sc[j / 16] * a[j], 0f);
                }
            }
            case Q4_K, Q5_K -> {
                float min = Float.float16ToFloat(getShort(w, o + 2));
                byte[] a = unpackValues(type, w, o);
                for (int j = 0; j < 8; j++) {
                    int[] sm = scaleMinK4(j, w, o + 4);
                    float d1 = d * sm[0];
                    float m1 = min * sm[1];
                    for (int l = 0; l < 32; l++) {
                        put(y, mag, yo + 32 * j + l, d1 * a[32 * j + l] - m1, m1);
                    }
                }
            }
            case Q6_K -> {
                float dd = Float.float16ToFloat(getShort(w, o + 208));
                byte[] a = unpackValues(type, w, o);
                for (int j = 0; j < 256; j++) {
                    put(y, mag, yo + j, dd * w[o + 192 + j / 16] * a[j], 0f);
                }
            }
            default -> throw new IllegalArgumentException(type.toString());
        }
    }

    private static void put(float[] y, float[] mag, int i, float value, float minPart) {
        y[i] = value;
        if (mag != null) {
            mag[i] = Math.abs(value + minPart) + Math.abs(minPart);
        }
    }

    // ---------------------------------------------------------------- little-endian reads

    static short getShort(byte[] b, int o) {
        return (short) ((b[o] & 0xFF) | (b[o + 1] << 8));
    }

    static int getInt(byte[] b, int o) {
        return (b[o] & 0xFF) | ((b[o + 1] & 0xFF) << 8) | ((b[o + 2] & 0xFF) << 16) | (b[o + 3] << 24);
    }

    static float getFloat(byte[] b, int o) {
        return Float.intBitsToFloat(getInt(b, o));
    }
}
