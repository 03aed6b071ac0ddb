package dev.infer4j.runtime.scheduler;

/**
 * Limits for one engine step.
 *
 * @param tokenBudget     most tokens (decode tokens plus prefill chunk tokens) one forward pass may take
 * @param maxSequences    most sequences in one step's batch
 * @param blockSize       token positions per KV block
 */
public record SchedulerConfig(int tokenBudget, int maxSequences, int blockSize) {

    /** Validates the limits. */
    public SchedulerConfig {
        if (tokenBudget < 1 || maxSequences < 1 || blockSize < 1) {
            throw new IllegalArgumentException("scheduler limits must be positive: budget " + tokenBudget
                    + ", sequences " + maxSequences + ", block size " + blockSize);
        }
    }

    /** Blocks needed to hold {@code tokens} positions. */
    public int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }
}
