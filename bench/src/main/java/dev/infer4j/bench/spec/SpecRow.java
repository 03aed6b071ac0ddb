package dev.infer4j.bench.spec;

/**
 * One configuration's figures.
 *
 * @param method          how tokens were proposed
 * @param k               most proposals per step (0 for the baseline)
 * @param decodeTps       median decode tokens/s (after the first token, so prefill is left out)
 * @param alpha           accepted / drafted proposals over the timed runs, from the engine's counts
 * @param tokensPerStep   tokens per target forward over the timed runs, from the engine's counts
 * @param c               one draft forward of 1 token / one target forward of 1 token (bare {@code Model.forward})
 * @param v               one target forward of K+1 tokens (logits for all) / one of 1 token: the theory takes
 *                        the verification step to cost as much as a plain decode step (v = 1)
 * @param speedup         median over the rounds of decode tokens/s over the baseline's in the same round (1 for
 *                        the baseline)
 */
public record SpecRow(SpecMethod method, int k, double decodeTps, double alpha, double tokensPerStep, double c,
                      double v, double speedup) {

    /** Decode tokens/s over the baseline's, round by round ({@link #speedup}). */
    public double measuredSpeedup() {
        return speedup;
    }

    /** {@link SpeedupTheory#speedup} at this row's α, K and c. */
    public double theoreticalSpeedup() {
        return SpeedupTheory.speedup(alpha, k, c);
    }

    /**
     * The theory with the verification step's measured cost in place of 1: tokens per step (measured) over
     * {@code v + K·c}. What is left between this and the measured speedup is the engine's own overhead.
     */
    public double costModelSpeedup() {
        return tokensPerStep / (v + k * c);
    }

    /** {@link SpeedupTheory#tokensPerStep} at this row's α and K. */
    public double theoreticalTokensPerStep() {
        return SpeedupTheory.tokensPerStep(alpha, k);
    }
}
