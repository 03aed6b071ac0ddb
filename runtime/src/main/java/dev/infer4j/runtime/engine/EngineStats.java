package dev.infer4j.runtime.engine;

/**
 * A snapshot of the engine for metrics.
 *
 * @param running             sequences holding KV blocks
 * @param waiting             accepted sequences waiting to start (or to resume after preemption)
 * @param kvBlocksUsed        KV blocks in use
 * @param kvBlocksTotal       KV blocks in the pool
 * @param promptTokens        prompt tokens computed since start
 * @param generatedTokens     tokens generated since start
 * @param preemptions         sequences preempted since start
 * @param steps               forward passes since start
 */
public record EngineStats(int running, int waiting, int kvBlocksUsed, int kvBlocksTotal, long promptTokens,
                          long generatedTokens, long preemptions, long steps) {
}
