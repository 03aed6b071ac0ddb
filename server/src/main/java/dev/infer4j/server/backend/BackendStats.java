package dev.infer4j.server.backend;

/**
 * The engine's load at one moment.
 *
 * @param waitingSequences sequences accepted but not yet scheduled
 * @param runningSequences sequences in the running batch
 * @param kvCacheUsage     fraction of KV cache blocks in use, 0 to 1
 * @param preemptions      sequences preempted (blocks taken back, recomputed later) since start
 * @param prefixHitRate    share of prefix-cache block lookups that reused cached K/V, 0 to 1
 * @param specAcceptance   share of speculative proposals accepted, 0 to 1 (0 without speculation)
 * @param specTokensPerStep tokens emitted per target forward pass of a speculating sequence (1 without)
 */
public record BackendStats(int waitingSequences, int runningSequences, double kvCacheUsage, long preemptions,
                           double prefixHitRate, double specAcceptance, double specTokensPerStep) {

    /** Load figures only, for backends without a prefix cache or speculation. */
    public BackendStats(int waitingSequences, int runningSequences, double kvCacheUsage) {
        this(waitingSequences, runningSequences, kvCacheUsage, 0, 0, 0, 1);
    }
}
