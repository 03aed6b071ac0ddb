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
            long sum = 0;
            for (int t = 0; t < 12; t++) {
                sum += mix64(counter) >>> 40;
                counter += GOLDEN;
            }
            double z = sum / TWO_POW_24 - 6.0;
            dst[offset + k] = (float) (mean + z * std);
        }
    }
}
