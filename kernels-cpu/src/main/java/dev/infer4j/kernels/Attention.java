package dev.infer4j.kernels;

/**
 * How one layer attends: grouped-query heads over the paged cache, causal, optionally windowed and soft-capped.
 *
 * <p>For a query at position {@code p} the keys at positions {@code k <= p} (and {@code p - k < slidingWindow}
 * when a window is set) are scored as {@code s = q·k}; then, when {@code softCap > 0},
 * {@code s = softCap * tanh(s / softCap)}; then {@code s *= scale}; the scores are soft-maxed and weight the
 * values. Query head {@code h} reads K/V head {@code h / (queryHeads / kvHeads)}.
 *
 * @param queryHeads    number of query heads
 * @param scale         multiplier of the scores (1/sqrt(key length) for most models; 1 when Q is pre-scaled)
 * @param softCap       attention logit soft-capping constant, or 0 for none
 * @param slidingWindow number of most recent positions a query sees, or 0 for the whole causal context
 * @param method        how scores become a weighted sum of values (which rounding to reproduce)
 */
public record Attention(int queryHeads, float scale, float softCap, int slidingWindow, AttentionMethod method) {
    /** Validates the parameters. */
    public Attention {
        if (queryHeads <= 0) {
            throw new IllegalArgumentException("queryHeads must be positive, got " + queryHeads);
        }
        if (softCap < 0 || slidingWindow < 0) {
            throw new IllegalArgumentException("softCap and slidingWindow must not be negative");
        }
        java.util.Objects.requireNonNull(method, "method");
    }
}
