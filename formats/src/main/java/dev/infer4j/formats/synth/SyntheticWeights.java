package dev.infer4j.formats.synth;

import java.nio.charset.StandardCharsets;

/**
 * The weight generator of the synthetic reference models ({@code models/synthetic/README.md}, "Weights."):
 * a counter-based PRNG, so any value of any tensor can be computed alone and in parallel, and an Irwin-Hall(12)
 * approximation of the normal distribution.
 *
 * <pre>
 * seed     = fnv1a64(utf8(family + "/" + tensorName))
 * u(i)     = mix64(seed + (i + 1) * 0x9e3779b97f4a7c15) &gt;&gt;&gt; 40          (24 bits)
 * value(k) = (float) (mean + ((u(12k) + ... + u(12k + 11)) / 2^24 - 6.0) * std)   (double arithmetic)
 * </pre>
 *
 * k counts the tensor's values in storage order (ne[0] fastest). The result is bit-exact with the generator that
 * wrote {@code synth-*-F32.gguf}.
 */
public final class SyntheticWeights {
    private static final long GOLDEN = 0x9e3779b97f4a7c15L;
    private static final double TWO_POW_24 = 16777216.0;
    private static final double MATRIX_STD = 0.02;
    private static final double NORM_MEAN = 1.0;
    private static final double NORM_STD = 0.1;

    private SyntheticWeights() {
    }

    /** The seed of one tensor: FNV-1a (64 bit) of {@code "<family>/<tensorName>"} in UTF-8. */
    public static long seed(String family, String tensorName) {
        long h = 0xcbf29ce484222325L;
        for (byte b : (family + "/" + tensorName).getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finalizer. */
    static long mix64(long z) {
        z ^= z >>> 30;
        z *= 0xbf58476d1ce4e5b9L;
        z ^= z >>> 27;
        z *= 0x94d049bb133111ebL;
        z ^= z >>> 31;
        return z;
    }

    /**
     * Writes values {@code first .. first + count - 1} of the tensor with this seed into {@code dst[offset..]}.
     */
    public static void fill(long seed, double mean, double std, long first, float[] dst, int offset, int count) {
        long counter = seed + (12 * first + 1) * GOLDEN;
        for (int k = 0; k < count; k++) {
            // integer sums are exact in any order; four independent chains keep the multipliers busy
            long s0 = 0;
            long s1 = 0;
            long s2 = 0;
            long s3 = 0;
            for (int t = 0; t < 12; t += 4) {
                s0 += mix64(counter) >>> 40;
                s1 += mix64(counter + GOLDEN) >>> 40;
                s2 += mix64(counter + 2 * GOLDEN) >>> 40;
                s3 += mix64(counter + 3 * GOLDEN) >>> 40;
                counter += 4 * GOLDEN;
            }
            double z = (s0 + s1 + s2 + s3) / TWO_POW_24 - 6.0;
            dst[offset + k] = (float) (mean + z * std);
        }
    }

    /**
     * Writes values {@code first .. first + count - 1} of a synthetic model's tensor into {@code dst[offset..]}:
     * norm weights ({@code *_norm.weight}) are drawn with mean 1 and standard deviation 0.1, everything else with
     * mean 0 and 0.02.
     *
     * @param family     the model's seed family (its shape's name)
     * @param tensorName the tensor's GGUF name ({@code blk.0.attn_q.weight}, ...), whatever format is written
     */
    public static void fillTensor(String family, String tensorName, long first, float[] dst, int offset, int count) {
        boolean norm = tensorName.endsWith("_norm.weight");
        fill(seed(family, tensorName), norm ? NORM_MEAN : 0.0, norm ? NORM_STD : MATRIX_STD, first, dst, offset,
                count);
    }
}
