package dev.infer4j.runtime.engine;

import java.util.List;

/**
 * The KV usage of an engine between two steps, taken on the step-loop thread after a step, when every
 * verification of that step has given back its rejected positions. For tests of the rollback
 * ({@link Engine#observeSteps}); nothing builds one unless a test asks.
 *
 * @param targetBlocksUsed       blocks of the target's pool held by anyone (sequences or the prefix cache)
 * @param targetBlocksOnlyCached of those, blocks only the prefix cache holds
 * @param targetBlockSize        positions per block of the target's cache
 * @param draftBlocksUsed        blocks of the draft model's pool held (0 without a draft model)
 * @param draftBlockSize         positions per block of the draft's cache (0 without a draft model)
 * @param running                the sequences holding blocks
 */
record StepSnapshot(int targetBlocksUsed, int targetBlocksOnlyCached, int targetBlockSize, int draftBlocksUsed,
                    int draftBlockSize, List<SequenceBlocks> running) {

    /**
     * One running sequence.
     *
     * @param id                  its id
     * @param totalTokens         prompt and generated tokens
     * @param computedTokens      tokens whose K/V the target's cache holds
     * @param blocks              blocks of its target table
     * @param draftComputedTokens tokens whose K/V the draft's cache holds
     * @param draftBlocks         blocks of its draft table
     */
    record SequenceBlocks(long id, int totalTokens, int computedTokens, int blocks, int draftComputedTokens,
                          int draftBlocks) {
    }
}
