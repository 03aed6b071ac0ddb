package dev.infer4j.runtime.sampling;

import java.util.Arrays;

/**
 * Finds, in one pass and without sorting, a small set of candidates that surely contains the prefix top-p or
 * typical-p will keep. Candidates are bucketed by a non-negative value that grows along the order the filter
 * walks (distance below the top logit for top-p, distance from the entropy for typical-p); the mass per bucket
 * shows where the running total reaches its target, and only the candidates up to that bucket (plus one bucket
 * of margin against rounding) need an exact sort. With a 128k vocabulary that is a few hundred or thousand
 * tokens instead of all of them.
 */
final class MassHistogram {

    static final int BUCKETS = 1024;
    /** Values at or past this many nats share the last bucket; e^-32 is below float resolution of a sum. */
    private static final float RANGE = 32f;
    private static final float SCALE = BUCKETS / RANGE;

    private final int[] counts = new int[BUCKETS];
    private final double[] mass = new double[BUCKETS];

    /** The bucket of a value {@code >= 0} (NaN and infinity go to the last one). */
    static int bucket(float value) {
        return value < RANGE ? (int) (value * SCALE) : BUCKETS - 1;
    }

    /**
     * The highest bucket to gather so that every candidate of the kept prefix is included: the first bucket at
     * which the cumulative mass reaches {@code target} with at least {@code minCount} candidates, plus one. The
     * last bucket when no earlier one suffices.
     *
     * @param values per candidate, the ordering value, {@code >= 0}
     * @param masses per candidate, its (unnormalised) probability mass
     */
    int limit(float[] values, double[] masses, int n, double target, int minCount) {
        Arrays.fill(counts, 0);
        Arrays.fill(mass, 0.0);
        for (int i = 0; i < n; i++) {
            int b = bucket(values[i]);
            counts[b]++;
            mass[b] += masses[i];
        }
        double cumulative = 0;
        int seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            cumulative += mass[b];
            seen += counts[b];
            if (cumulative >= target && seen >= minCount) {
                return Math.min(b + 1, BUCKETS - 1);
            }
        }
        return BUCKETS - 1;
    }
}
