package dev.infer4j.runtime.scheduler;

/**
 * What the planner needs to know about a sequence. The engine owns the real state; the planner never changes it.
 */
public interface SequenceView {
    /** Unique id; lower ids arrived earlier (first come, first served). */
    long id();

    /** Tokens known so far: the prompt plus every token generated (not proposals waiting to be verified). */
    int totalTokens();

    /** Tokens whose K/V are already in the cache (computed, or reused from the prefix cache). */
    int computedTokens();

    /** KV blocks the sequence holds now. */
    int heldBlocks();

    /** Tokens still to run through the model: the rest of the prompt, or the one newest token when decoding. */
    default int pendingTokens() {
        return totalTokens() - computedTokens();
    }

    /**
     * Proposed tokens (speculative decoding) this sequence would like verified together with its newest token
     * when it decodes; 0 when it does not speculate. The planner may grant fewer, down to none.
     */
    default int speculativeTokens() {
        return 0;
    }
}
