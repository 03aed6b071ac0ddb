package dev.infer4j.runtime.model;

/**
 * A mixture-of-experts feed-forward block: a router picks {@code used} of {@code count} experts per token by
 * softmax probability.
 *
 * @param count            experts per layer
 * @param used             experts each token runs
 * @param length           hidden width of each expert
 * @param sharedLength     hidden width of the always-on shared expert (Qwen 2 MoE), or 0 for none
 * @param normalizeWeights the chosen experts' probabilities are rescaled to sum to one (Mixtral, Qwen 3 MoE)
 */
public record ExpertConfig(int count, int used, int length, int sharedLength, boolean normalizeWeights) {
    /** Validates the counts. */
    public ExpertConfig {
        if (count <= 0 || used <= 0 || used > count) {
            throw new IllegalArgumentException("expert_used_count " + used + " must be within 1.." + count);
        }
    }
}
