package dev.infer4j.runtime.sampling;

/**
 * Steele, Lea and Flood's SplitMix64 generator: a 64-bit counter advanced by the golden-ratio increment and
 * passed through a fixed bit mixer. Its output for a seed is fully specified, so a seeded sample is the same on
 * every JVM and run; its state is this object's alone (unlike {@link java.util.Random}'s shared seed
 * scrambling). Not thread-safe; one per sequence.
 */
public final class SplitMix64 {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long state;

    /** A generator whose first output is the mix of {@code seed + GOLDEN_GAMMA}. */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long z = (state += GOLDEN_GAMMA);
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A uniform double in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
