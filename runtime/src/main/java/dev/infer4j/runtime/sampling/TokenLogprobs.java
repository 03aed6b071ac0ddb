package dev.infer4j.runtime.sampling;

import java.util.ArrayList;
import java.util.List;

/**
 * The log-probabilities of one step as OpenAI and vLLM report them: the log-softmax of the raw model logits
 * (before bias, penalties, filters and temperature) for the chosen token and the top alternatives, most likely
 * first, ties by lowest id.
 *
 * <p>A reusable buffer: {@link #compute} overwrites it without allocating. {@link #snapshot()} copies it out
 * when the values must outlive the next step (e.g. to hand to another thread).
 */
public final class TokenLogprobs {

    private final long[] heap = new long[SamplingParams.MAX_LOGPROBS];
    private final int[] topTokens = new int[SamplingParams.MAX_LOGPROBS];
    private final float[] topLogprobs = new float[SamplingParams.MAX_LOGPROBS];
    private int topCount;
    private int token = -1;
    private float logprob = Float.NaN;

    /**
     * Fills this buffer from one row of raw logits.
     *
     * @param logits the model output
     * @param offset where the row starts
     * @param vocab  the row length
     * @param chosen the token that was sampled
     * @param topN   how many alternatives, 0 to {@value SamplingParams#MAX_LOGPROBS}; fewer are reported when
     *               fewer tokens have a finite logit
     */
    public void compute(float[] logits, int offset, int vocab, int chosen, int topN) {
        if (topN < 0 || topN > SamplingParams.MAX_LOGPROBS) {
            throw new IllegalArgumentException("topN must be in 0.." + SamplingParams.MAX_LOGPROBS + ", got " + topN);
        }
        if (chosen < 0 || chosen >= vocab) {
            throw new IllegalArgumentException("chosen token " + chosen + " outside the vocabulary of " + vocab);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            if (v > max) {
                max = v;
            }
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp((double) logits[offset + i] - max);
        }
        double logNormalizer = max + Math.log(sum);
        token = chosen;
        logprob = (float) (logits[offset + chosen] - logNormalizer);
        topCount = KeySort.selectTopLogits(logits, offset, vocab, topN, heap);
        for (int i = 0; i < topCount; i++) {
            int id = PackedKeys.id(heap[i]);
            topTokens[i] = id;
            topLogprobs[i] = (float) (logits[offset + id] - logNormalizer);
        }
    }

    /** The chosen token. */
    public int token() {
        return token;
    }

    /** The chosen token's log-probability. */
    public float logprob() {
        return logprob;
    }

    /** How many alternatives are held. */
    public int topCount() {
        return topCount;
    }

    /** The {@code i}-th most likely token. */
    public int topToken(int i) {
        checkIndex(i);
        return topTokens[i];
    }

    /** The {@code i}-th most likely token's log-probability. */
    public float topLogprob(int i) {
        checkIndex(i);
        return topLogprobs[i];
    }

    /** An immutable copy of the alternatives, most likely first. */
    public List<TokenLogprob> top() {
        List<TokenLogprob> out = new ArrayList<>(topCount);
        for (int i = 0; i < topCount; i++) {
            out.add(new TokenLogprob(topTokens[i], topLogprobs[i]));
        }
        return List.copyOf(out);
    }

    /** An immutable copy of this step's values. */
    public Snapshot snapshot() {
        return new Snapshot(new TokenLogprob(token, logprob), top());
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= topCount) {
            throw new IndexOutOfBoundsException("alternative " + i + " of " + topCount);
        }
    }

    /**
     * One step's log-probabilities, detached from the buffer.
     *
     * @param chosen the sampled token
     * @param top    the most likely tokens, most likely first, ties by lowest id
     */
    public record Snapshot(TokenLogprob chosen, List<TokenLogprob> top) {
        /** Copies {@code top}. */
        public Snapshot {
            top = List.copyOf(top);
        }
    }
}
