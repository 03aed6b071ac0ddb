package dev.infer4j.runtime.scheduler;

import java.util.List;

/**
 * The planner's decision for one step.
 *
 * @param chunks    the work of this step, running decodes first, then prefill chunks in arrival order
 * @param preempted ids of running sequences that must give back all their blocks and wait to be recomputed
 * @param admitted  ids of waiting sequences that start running in this step (each also has a chunk)
 */
public record StepPlan(List<Chunk> chunks, List<Long> preempted, List<Long> admitted) {

    /** Copies the lists. */
    public StepPlan {
        chunks = List.copyOf(chunks);
        preempted = List.copyOf(preempted);
        admitted = List.copyOf(admitted);
    }

    /**
     * Tokens of one sequence to run in this step.
     *
     * @param sequenceId   the sequence
     * @param start        position of the first token (its computed tokens before this step)
     * @param length       number of tokens
     * @param newBlocks    blocks the sequence must be given before the step runs
     * @param samplesToken whether this chunk reaches the sequence's last known token, so a token is sampled
     */
    public record Chunk(long sequenceId, int start, int length, int newBlocks, boolean samplesToken) {
    }

    /** Total tokens in this step. */
    public int tokenCount() {
        int n = 0;
        for (Chunk c : chunks) {
            n += c.length();
        }
        return n;
    }

    /** True when there is nothing to run. */
    public boolean isEmpty() {
        return chunks.isEmpty();
    }
}
