package dev.infer4j.server.backend;

/**
 * The engine's load at one moment.
 *
 * @param waitingSequences sequences accepted but not yet scheduled
 * @param runningSequences sequences in the running batch
 * @param kvCacheUsage     fraction of KV cache blocks in use, 0 to 1
 */
public record BackendStats(int waitingSequences, int runningSequences, double kvCacheUsage) {
}
