package dev.infer4j.bench.spec;

/**
 * What {@link SpecBenchRunner} runs.
 *
 * @param promptTokens   prompt length: the built-in passage repeated and cut to this many tokens, so a prompt
 *                       longer than one passage is a repetitive workload (what n-gram lookup feeds on)
 * @param genTokens      tokens generated greedily per run (end-of-generation ignored)
 * @param draftMax       K, the most tokens proposed per step
 * @param threads        compute threads
 * @param repeat         timed rounds after a warm-up, each generating once with every configuration in turn;
 *                       medians are reported
 */
public record SpecBenchSettings(int promptTokens, int genTokens, int draftMax, int threads,
                                int repeat) {
    /** Checks the sizes. */
    public SpecBenchSettings {
        if (promptTokens < 1 || genTokens < 2 || draftMax < 1 || threads < 1 || repeat < 1) {
            throw new IllegalArgumentException("prompt tokens, K, threads and repeats must be at "
                    + "least 1 and generated tokens at least 2: " + this);
        }
    }
}
