package dev.infer4j.bench.spec;

/**
 * The expected gain of speculative decoding when each of {@code K} proposals is accepted independently with
 * probability α and one draft forward costs {@code c} target forwards (Leviathan et al. 2023, Theorem 3.8).
 */
public final class SpeedupTheory {
    private SpeedupTheory() {
    }

    /**
     * Expected tokens one target forward yields: {@code (1 − α^(K+1)) / (1 − α)}, that is {@code K + 1} at α = 1.
     *
     * @throws IllegalArgumentException if α is outside [0, 1] or K is negative
     */
    public static double tokensPerStep(double alpha, int k) {
        check(alpha, k, 0);
        if (alpha == 1.0) {
            return k + 1;
        }
        return (1 - Math.pow(alpha, k + 1)) / (1 - alpha);
    }

    /**
     * Expected wall-clock speedup over plain decoding: {@code (1 − α^(K+1)) / ((1 − α)(1 + K·c))}.
     *
     * @throws IllegalArgumentException if α is outside [0, 1], K is negative or c is negative
     */
    public static double speedup(double alpha, int k, double c) {
        check(alpha, k, c);
        return tokensPerStep(alpha, k) / (1 + k * c);
    }

    private static void check(double alpha, int k, double c) {
        if (!(alpha >= 0 && alpha <= 1) || k < 0 || !(c >= 0)) {
            throw new IllegalArgumentException("need 0 <= alpha <= 1, K >= 0 and c >= 0, got alpha " + alpha
                    + ", K " + k + ", c " + c);
        }
    }
}
