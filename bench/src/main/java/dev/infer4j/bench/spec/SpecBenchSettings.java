package dev.infer4j.bench.spec;

/**
 * What {@link SpecBenchRunner} runs.
 *
 * @param promptTokens   shortest prompt: whole passages are added until the prompt is at least this long
 * @param passageRepeats times the passage is written at least (more than 1 makes a repetitive prompt for n-gram
 *                       lookup)
 * @param genTokens      tokens generated greedily per run (end-of-generation ignored)
 * @param draftMax       K, the most tokens proposed per step
 * @param threads        compute threads
 * @param repeat         timed runs of each configuration after a warm-up; the median is reported
 */
public record SpecBenchSettings(int promptTokens, int passageRepeats, int genTokens, int draftMax, int threads,
                                int repeat) {
    /** Checks the sizes. */
    public SpecBenchSettings {
        if (promptTokens < 1 || passageRepeats < 1 || genTokens < 2 || draftMax < 1 || threads < 1 || repeat < 1) {
            throw new IllegalArgumentException("prompt tokens, passage repeats, K, threads and repeats must be at "
                    + "least 1 and generated tokens at least 2: " + this);
        }
    }
}
