package dev.infer4j.runtime.engine;

/**
 * A snapshot of the engine for metrics.
 *
 * @param running             sequences holding KV blocks
 * @param waiting             accepted sequences waiting to start (or to resume after preemption)
 * @param kvBlocksUsed        KV blocks held by sequences (cached blocks nobody else holds count as free)
 * @param kvBlocksTotal       KV blocks in the pool
 * @param promptTokens        prompt tokens computed since start
 * @param generatedTokens     tokens generated since start
 * @param preemptions         sequences preempted since start
 * @param steps               forward passes since start
 * @param prefixCachedBlocks  blocks the prefix cache holds (shared, or free to evict)
 * @param prefixLookups       prefix-cache block lookups since start
 * @param prefixHits          lookups that reused a cached block
 * @param speculation         proposals drafted and accepted since start (acceptance rate, tokens per step)
 */
public record EngineStats(int running, int waiting, int kvBlocksUsed, int kvBlocksTotal, long promptTokens,
                          long generatedTokens, long preemptions, long steps, int prefixCachedBlocks,
                          long prefixLookups, long prefixHits, SpeculationCounts speculation) {

    /** Share of prefix-cache lookups that hit, 0 before any lookup. */
    public double prefixHitRate() {
        return prefixLookups == 0 ? 0 : (double) prefixHits / prefixLookups;
    }
}
