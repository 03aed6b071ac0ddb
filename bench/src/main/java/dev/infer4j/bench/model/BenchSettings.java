package dev.infer4j.bench.model;

import java.util.List;

/**
 * What {@link ModelBenchmark} runs.
 *
 * @param promptTokens      tokens of the prompt whose prefill (one forward) is timed
 * @param genTokens         tokens decoded one forward at a time after that prompt
 * @param threads           compute threads (also the probe's reader threads)
 * @param repeat            timed runs of prefill and decode; the median is reported
 * @param batchSizes        concurrent sequences for the batched-decode figure; empty to skip it
 * @param batchPromptTokens prompt tokens of each sequence, prefilled before batched decode
 * @param batchSteps        decode steps timed at each batch size
 * @param batchRepeat       timed runs at each batch size
 * @param probeBytes        bytes the bandwidth probe streams per pass; 0 to skip the probe
 */
public record BenchSettings(int promptTokens, int genTokens, int threads, int repeat, List<Integer> batchSizes,
                            int batchPromptTokens, int batchSteps, int batchRepeat, long probeBytes) {

    /** Checks the sizes. */
    public BenchSettings {
        batchSizes = List.copyOf(batchSizes);
        if (promptTokens < 1 || genTokens < 1 || threads < 1 || repeat < 1 || batchPromptTokens < 1
                || batchSteps < 1 || batchRepeat < 1 || probeBytes < 0) {
            throw new IllegalArgumentException("token counts, threads and repeats must be at least 1 and probe"
                    + " bytes not negative: " + this);
        }
        if (batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("batch sizes must be at least 1, got " + batchSizes);
        }
        if (probeBytes > 0 && probeBytes < (1 << 20)) {
            throw new IllegalArgumentException("the bandwidth probe needs at least 1 MiB, got " + probeBytes + " bytes");
        }
    }

    /** KV blocks of {@code blockSize} positions the cache needs for the largest run (sequences hold whole blocks). */
    public int kvBlocks(int blockSize) {
        int batched = batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0)
                * blocks(batchPromptTokens + batchSteps + 1, blockSize);
        return Math.max(blocks(promptTokens + genTokens, blockSize), batched);
    }

    private static int blocks(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }
}
