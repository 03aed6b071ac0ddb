package dev.infer4j.runtime.sampling;

/**
 * The vocabulary-sized scratch arrays a {@link SamplerChain} works in (36 bytes per vocabulary entry:
 * 4.4 MiB for 128k). Sampling one sequence's row never needs them after it returns, so every chain driven by
 * the same thread (one step loop samples its whole batch one row after another) can share one workspace
 * instead of each sequence holding its own. Not thread-safe: never share it between threads.
 */
public final class SamplerWorkspace {

    final int vocabSize;
    /** The row being sampled, after bias, masks and penalties. */
    final float[] logits;
    /** Candidate keys ({@link PackedKeys}). */
    final long[] candidates;
    /** Selection and reordering scratch. */
    final long[] scratch;
    /** Unnormalised probabilities of the candidates, in candidate order. */
    final double[] weights;
    /** Per-candidate ordering values for {@link MassHistogram}. */
    final float[] values;
    final MassHistogram histogram = new MassHistogram();
    /** Occurrence counts for the penalties; all zero between calls. */
    final int[] counts;

    /** Scratch for rows of {@code vocabSize} logits. */
    public SamplerWorkspace(int vocabSize) {
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.logits = new float[vocabSize];
        this.candidates = new long[vocabSize];
        this.scratch = new long[vocabSize];
        this.weights = new double[vocabSize];
        this.values = new float[vocabSize];
        this.counts = new int[vocabSize];
    }

    /** The row length this workspace serves. */
    public int vocabSize() {
        return vocabSize;
    }
}
