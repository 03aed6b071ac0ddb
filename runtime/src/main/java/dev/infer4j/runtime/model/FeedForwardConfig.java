package dev.infer4j.runtime.model;

/**
 * How a model's feed-forward blocks work.
 *
 * @param length      hidden width of the dense FFN (unused when every layer has experts)
 * @param activation  gate activation
 * @param fusedGateUp the file stores gate and up as one {@code ffn_up} matrix, gate rows first (Phi-3)
 * @param experts     the mixture of experts, or {@code null} for a dense FFN
 */
public record FeedForwardConfig(int length, Activation activation, boolean fusedGateUp, ExpertConfig experts) {
    /** Whether the FFN is a mixture of experts. */
    public boolean isMoe() {
        return experts != null;
    }
}
