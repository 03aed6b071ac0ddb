package dev.infer4j.bench.spec;

/**
 * One configuration's figures.
 *
 * @param method          how tokens were proposed
 * @param k               most proposals per step (0 for the baseline)
 * @param decodeTps       median decode tokens/s (after the first token, so prefill is left out)
 * @param alpha           accepted / drafted proposals over the timed runs, from the engine's counts
 * @param tokensPerStep   tokens per target forward over the timed runs, from the engine's counts
 * @param c               draft forward time / target forward time at batch 1
 * @param baselineTps     the baseline's median decode tokens/s from the same process
 */
public record SpecRow(SpecMethod method, int k, double decodeTps, double alpha, double tokensPerStep, double c,
                      double baselineTps) {

    /** decode tokens/s over the baseline's. */
    public double measuredSpeedup() {
        return decodeTps / baselineTps;
    }

    /** {@link SpeedupTheory#speedup} at this row's α, K and c. */
    public double theoreticalSpeedup() {
        return SpeedupTheory.speedup(alpha, k, c);
    }

    /** {@link SpeedupTheory#tokensPerStep} at this row's α and K. */
    public double theoreticalTokensPerStep() {
        return SpeedupTheory.tokensPerStep(alpha, k);
    }
}
