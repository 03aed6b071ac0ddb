package dev.infer4j.runtime.sampling;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * Chooses one sequence's next token from a row of logits, with llama.cpp's sampler chain in llama.cpp's order:
 *
 * <ol>
 *   <li>logit bias, and the end-of-generation mask ({@code ignoreEos}, or fewer than {@code minTokens}
 *       generated; the latter also masks {@code stopTokenIds});</li>
 *   <li>penalties over the last {@code repeatLastN} tokens of the {@link TokenHistory}: the repeat penalty
 *       divides a positive logit and multiplies a non-positive one, then
 *       {@code logit -= count * frequencyPenalty + (count > 0 ? presencePenalty : 0)};</li>
 *   <li>top-k, typical-p, top-p, min-p (probabilities at temperature 1, renormalised over the tokens still in
 *       play), honouring {@code minKeep} as llama.cpp does;</li>
 *   <li>temperature, then a draw from the softmax of what is left using the chain's own seeded
 *       {@link SplitMix64}: one random number per sampled token, so a seed gives the same tokens on every run
 *       and JVM. A temperature {@code <= 0} takes the argmax instead (no random number used).</li>
 * </ol>
 *
 * <p>Candidates are ordered by logit descending, ties by lowest id, so every filter and the greedy choice are
 * deterministic where llama.cpp's unstable sorts are not. Masked tokens ({@code -Infinity}, or NaN logits)
 * never take part.
 *
 * <p>One chain per sequence (it holds the random stream). It allocates nothing per call: top-k selects with a
 * bounded heap in one pass over the row (quickselect for large k), top-p and typical-p sort only the candidates that a histogram of
 * probability mass shows can be in their prefix, and the penalties touch only the tokens in the window. Not thread-safe;
 * its {@link SamplerWorkspace} may be shared with other chains used by the same thread.
 */
public final class SamplerChain {

    private static final int[] NO_IDS = new int[0];
    /** Up to this k, top-k keeps a heap while scanning the row; beyond it, quickselect is cheaper. */
    private static final int HEAP_TOP_K_MAX = 512;
    /** Below this many candidates a filter sorts them all rather than bucketing first. */
    private static final int SMALL_ENOUGH_TO_SORT = 1024;

    private final SamplingParams params;
    private final SamplerWorkspace workspace;
    private final int vocabSize;
    private final int[] biasIds;
    private final float[] biasValues;
    private final int[] alwaysMasked;
    private final int[] maskedUntilMinTokens;
    private final boolean penaltiesOn;
    private final boolean greedyShortcut;
    private final long seed;
    private final SplitMix64 random;
    private final TokenLogprobs logprobs = new TokenLogprobs();

    /** Candidates in play: {@code workspace.candidates[0, count)}. */
    private int count;
    /** Whether the candidates are in key order (logit descending, id ascending). */
    private boolean sorted;

    /**
     * A chain with its own workspace.
     *
     * @param params          the sampling parameters
     * @param endOfGeneration the vocabulary's end-of-generation ids ({@code SpecialTokens.endOfGeneration()})
     * @param vocabSize       the logit row length
     */
    public SamplerChain(SamplingParams params, int[] endOfGeneration, int vocabSize) {
        this(params, endOfGeneration, new SamplerWorkspace(vocabSize));
    }

    /**
     * A chain working in a shared workspace.
     *
     * @param params          the sampling parameters
     * @param endOfGeneration the vocabulary's end-of-generation ids ({@code SpecialTokens.endOfGeneration()})
     * @param workspace       scratch sized for the vocabulary, shared only with chains used by this thread
     * @throws InvalidSamplingParameterException if a logit-bias or stop token id is outside the vocabulary
     */
    public SamplerChain(SamplingParams params, int[] endOfGeneration, SamplerWorkspace workspace) {
        this.params = Objects.requireNonNull(params, "params");
        this.workspace = Objects.requireNonNull(workspace, "workspace");
        this.vocabSize = workspace.vocabSize;
        int[] eog = endOfGeneration.clone();
        for (int id : eog) {
            if (id < 0 || id >= vocabSize) {
                throw new IllegalArgumentException("end-of-generation id " + id + " is outside the vocabulary of "
                        + vocabSize + " tokens");
            }
        }
        this.biasIds = new int[params.logitBias().size()];
        this.biasValues = new float[biasIds.length];
        int b = 0;
        for (Map.Entry<Integer, Float> e : params.logitBias().entrySet()) {
            biasIds[b] = checkInVocabulary("logitBias", e.getKey());
            biasValues[b++] = e.getValue();
        }
        int[] stopIds = new int[params.stopTokenIds().size()];
        for (int i = 0; i < stopIds.length; i++) {
            stopIds[i] = checkInVocabulary("stopTokenIds", params.stopTokenIds().get(i));
        }
        this.alwaysMasked = params.ignoreEos() ? eog : NO_IDS;
        this.maskedUntilMinTokens = params.minTokens() == 0 ? NO_IDS : concat(eog, stopIds);
        this.penaltiesOn = params.repeatLastN() != 0
                && (params.repeatPenalty() != 1.0f || params.frequencyPenalty() != 0.0f
                    || params.presencePenalty() != 0.0f);
        // top-k, top-p and min-p always keep the argmax; typical-p may drop it, so greedy must run the chain then
        this.greedyShortcut = params.isGreedy() && params.typicalP() >= 1.0f;
        this.seed = params.seed().isPresent() ? params.seed().getAsLong() : new SecureRandom().nextLong();
        this.random = new SplitMix64(seed);
    }

    /**
     * Chooses the next token. Does not record it: the caller adds the token it accepts to {@code history}
     * with {@link TokenHistory#addGenerated}. When {@link SamplingParams#logprobs()} is not
     * {@link SamplingParams#NO_LOGPROBS}, {@link #lastLogprobs()} holds this step's log-probabilities after it
     * returns.
     *
     * @param logits  the model output; read only
     * @param offset  where this sequence's row starts in {@code logits}
     * @param vocab   the row length; must be the vocabulary size the chain was built for
     * @param history the sequence's tokens so far (prompt and generated)
     * @return the chosen token id
     * @throws IllegalStateException if every token is masked (by logit bias, {@code ignoreEos},
     *                               {@code minTokens} or NaN logits)
     */
    public int sample(float[] logits, int offset, int vocab, TokenHistory history) {
        float[] row = prepareRow(logits, offset, vocab, history);
        int token;
        if (greedyShortcut) {
            token = argmax(row, vocab);
        } else {
            filter(row, vocab);
            token = params.isGreedy() ? bestCandidate() : draw();
        }
        if (params.logprobs() != SamplingParams.NO_LOGPROBS) {
            logprobs.compute(logits, offset, vocab, token, params.logprobs());
        }
        return token;
    }

    /**
     * The distribution {@link #sample} would draw from for this row, without drawing (the random stream does
     * not advance): after every filter and the temperature, zero for tokens filtered out, one-hot on the argmax
     * when greedy. For diagnostics and tests (llama.cpp's server reports these as post-sampling
     * probabilities); it computes no log-probabilities.
     *
     * @param probabilities receives one probability per token, {@code vocab} entries
     */
    public void distribution(float[] logits, int offset, int vocab, TokenHistory history, double[] probabilities) {
        if (probabilities.length < vocab) {
            throw new IllegalArgumentException("probabilities holds " + probabilities.length
                    + " entries, the vocabulary has " + vocab);
        }
        float[] row = prepareRow(logits, offset, vocab, history);
        Arrays.fill(probabilities, 0, vocab, 0.0);
        if (greedyShortcut) {
            probabilities[argmax(row, vocab)] = 1.0;
            return;
        }
        filter(row, vocab);
        if (params.isGreedy()) {
            probabilities[bestCandidate()] = 1.0;
            return;
        }
        double sum = weigh();
        long[] cand = workspace.candidates;
        double[] w = workspace.weights;
        for (int i = 0; i < count; i++) {
            probabilities[PackedKeys.id(cand[i])] = w[i] / sum;
        }
    }

    /** Copies the row into the workspace and applies bias, masks and penalties; returns the copy. */
    private float[] prepareRow(float[] logits, int offset, int vocab, TokenHistory history) {
        if (vocab != vocabSize) {
            throw new IllegalArgumentException("row of " + vocab + " logits, but the chain was built for a "
                    + "vocabulary of " + vocabSize);
        }
        Objects.checkFromIndexSize(offset, vocab, logits.length);
        float[] row = workspace.logits;
        System.arraycopy(logits, offset, row, 0, vocab);
        for (int i = 0; i < biasIds.length; i++) {
            row[biasIds[i]] += biasValues[i];
        }
        for (int id : alwaysMasked) {
            row[id] = Float.NEGATIVE_INFINITY;
        }
        if (history.generatedCount() < params.minTokens()) {
            for (int id : maskedUntilMinTokens) {
                row[id] = Float.NEGATIVE_INFINITY;
            }
        }
        if (penaltiesOn) {
            applyPenalties(row, history);
        }
        return row;
    }

    /** The log-probabilities of the last {@link #sample} call; overwritten by the next one. */
    public TokenLogprobs lastLogprobs() {
        return logprobs;
    }

    /** The seed in use: the requested one, or the random one picked at construction. */
    public long seed() {
        return seed;
    }

    /** The parameters this chain was built from. */
    public SamplingParams params() {
        return params;
    }

    private void applyPenalties(float[] row, TokenHistory history) {
        int lastN = params.repeatLastN();
        if (lastN > history.capacity()) {
            throw new IllegalArgumentException("repeatLastN is " + lastN + " but the TokenHistory keeps only "
                    + history.capacity() + " tokens");
        }
        int window = lastN < 0 ? history.size() : Math.min(lastN, history.size());
        int[] counts = workspace.counts;
        for (int i = 0; i < window; i++) {
            int t = history.recent(i);
            if (t < 0 || t >= vocabSize) {
                for (int j = 0; j < i; j++) {
                    counts[history.recent(j)] = 0;
                }
                throw new IllegalArgumentException("history holds token " + t + ", outside the vocabulary of "
                        + vocabSize);
            }
            counts[t]++;
        }
        float repeat = params.repeatPenalty();
        float frequency = params.frequencyPenalty();
        float presence = params.presencePenalty();
        // second pass: penalise each distinct token once, and leave the counts zeroed for the next call
        for (int i = 0; i < window; i++) {
            int t = history.recent(i);
            int c = counts[t];
            if (c == 0) {
                continue;
            }
            counts[t] = 0;
            float logit = row[t];
            logit = logit <= 0 ? logit * repeat : logit / repeat;
            row[t] = logit - (c * frequency + presence);
        }
    }

    private static int argmax(float[] row, int vocab) {
        int best = -1;
        float bestLogit = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            if (row[i] > bestLogit) {
                bestLogit = row[i];
                best = i;
            }
        }
        if (best < 0) {
            throw allMasked();
        }
        return best;
    }

    /** Leaves the candidates that survive top-k, typical-p, top-p and min-p in the workspace. */
    private void filter(float[] row, int vocab) {
        long[] cand = workspace.candidates;
        int k = params.topK();
        if (k > 0 && k <= HEAP_TOP_K_MAX && k < vocab) {
            count = KeySort.selectTopLogits(row, 0, vocab, k, cand);
            sorted = true;
        } else {
            int n = 0;
            for (int i = 0; i < vocab; i++) {
                float v = row[i];
                if (v > Float.NEGATIVE_INFINITY) {
                    cand[n++] = PackedKeys.byLogitDescending(v, i);
                }
            }
            count = n;
            sorted = false;
            if (k > 0 && k < n) {
                KeySort.selectSmallestInPlace(cand, 0, n, k);
                count = k;
                sorted = true;
            }
        }
        if (count == 0) {
            throw allMasked();
        }
        if (params.typicalP() < 1.0f) {
            typical();
        }
        if (params.topP() < 1.0f) {
            topP();
        }
        if (params.minP() > 0.0f) {
            minP();
        }
    }

    /** Keeps the tokens whose surprise is closest to the entropy until their mass exceeds typicalP. */
    private void typical() {
        long[] cand = workspace.candidates;
        long[] byScore = workspace.scratch;
        double[] w = workspace.weights;
        float[] score = workspace.values;
        int n = count;
        float max = maxLogit();
        double z = 0;
        for (int i = 0; i < n; i++) {
            w[i] = Math.exp((double) logit(cand[i]) - max);
            z += w[i];
        }
        // surprise -ln p = ln z - (logit - max): no logarithm per token
        double logZ = Math.log(z);
        double entropy = 0;
        for (int i = 0; i < n; i++) {
            entropy += w[i] / z * (logZ - ((double) logit(cand[i]) - max));
        }
        for (int i = 0; i < n; i++) {
            score[i] = (float) Math.abs(logZ - ((double) logit(cand[i]) - max) - entropy);
        }
        float typicalP = params.typicalP();
        int minKeep = params.minKeep();
        int limit = n > SMALL_ENOUGH_TO_SORT
                ? workspace.histogram.limit(score, w, n, typicalP * z, minKeep) : MassHistogram.BUCKETS - 1;
        int keep = -1;
        while (keep < 0) {
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (limit == MassHistogram.BUCKETS - 1 || MassHistogram.bucket(score[i]) <= limit) {
                    // the low half holds the candidate index: equal scores keep the current (deterministic) order
                    byScore[m++] = PackedKeys.byValueAscending(score[i], i);
                }
            }
            KeySort.sort(byScore, 0, m);
            double cumulative = 0;
            for (int i = 0; i < m; i++) {
                cumulative += w[PackedKeys.id(byScore[i])] / z;
                if (cumulative > typicalP && (minKeep == 0 || i >= minKeep - 1)) {
                    keep = i + 1;
                    break;
                }
            }
            if (keep < 0 && m == n) {
                keep = n;
            }
            limit = MassHistogram.BUCKETS - 1;
        }
        for (int i = 0; i < keep; i++) {
            byScore[i] = cand[PackedKeys.id(byScore[i])];
        }
        System.arraycopy(byScore, 0, cand, 0, keep);
        count = keep;
        sorted = false;
    }

    /** Keeps the most likely tokens until their mass reaches topP (and at least minKeep of them). */
    private void topP() {
        long[] cand = workspace.candidates;
        double[] w = workspace.weights;
        float[] below = workspace.values;
        int n = count;
        float max = maxLogit();
        double z = 0;
        for (int i = 0; i < n; i++) {
            float l = logit(cand[i]);
            w[i] = Math.exp((double) l - max);
            z += w[i];
            below[i] = max - l;
        }
        if (!sorted && n > SMALL_ENOUGH_TO_SORT) {
            int limit = workspace.histogram.limit(below, w, n, params.topP() * z, params.minKeep());
            if (limit < MassHistogram.BUCKETS - 1) {
                long[] head = workspace.scratch;
                int m = 0;
                for (int i = 0; i < n; i++) {
                    if (MassHistogram.bucket(below[i]) <= limit) {
                        head[m++] = cand[i];
                    }
                }
                KeySort.sort(head, 0, m);
                int keep = nucleus(head, m, max, z);
                if (keep > 0) {
                    System.arraycopy(head, 0, cand, 0, keep);
                    count = keep;
                    sorted = true;
                    return;
                }
            }
        }
        if (!sorted) {
            KeySort.sort(cand, 0, n);
            sorted = true;
        }
        int keep = nucleus(cand, n, max, z);
        count = keep < 0 ? n : keep;
    }

    /** The length of the shortest prefix of sorted {@code keys} reaching topP and minKeep, or -1 if none. */
    private int nucleus(long[] keys, int n, float max, double z) {
        float topP = params.topP();
        int minKeep = params.minKeep();
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += Math.exp((double) logit(keys[i]) - max) / z;
            if (cumulative >= topP && i + 1 >= minKeep) {
                return i + 1;
            }
        }
        return -1;
    }

    /** Drops tokens whose probability is below minP times the largest (but keeps minKeep of them). */
    private void minP() {
        long[] cand = workspace.candidates;
        int n = count;
        float threshold = maxLogit() + (float) Math.log(params.minP());
        int minKeep = params.minKeep();
        if (!sorted) {
            int passing = 0;
            for (int i = 0; i < n; i++) {
                if (logit(cand[i]) >= threshold) {
                    passing++;
                }
            }
            if (passing >= minKeep) {
                int kept = 0;
                for (int i = 0; i < n; i++) {
                    if (logit(cand[i]) >= threshold) {
                        cand[kept++] = cand[i];
                    }
                }
                count = kept;
                return;
            }
            KeySort.sort(cand, 0, n);
            sorted = true;
        }
        int i = 1;
        while (i < n && (logit(cand[i]) >= threshold || i < minKeep)) {
            i++;
        }
        count = i;
    }

    private int bestCandidate() {
        long[] cand = workspace.candidates;
        long best = cand[0];
        if (!sorted) {
            for (int i = 1; i < count; i++) {
                best = Math.min(best, cand[i]);
            }
        }
        return PackedKeys.id(best);
    }

    private int draw() {
        long[] cand = workspace.candidates;
        double[] w = workspace.weights;
        int n = count;
        double sum = weigh();
        double target = random.nextDouble() * sum;
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += w[i];
            if (cumulative > target) {
                return PackedKeys.id(cand[i]);
            }
        }
        // rounding left the target unreached: the last token that has any weight
        for (int i = n - 1; i > 0; i--) {
            if (w[i] > 0) {
                return PackedKeys.id(cand[i]);
            }
        }
        return PackedKeys.id(cand[0]);
    }

    /** Fills the weights with the candidates' unnormalised probabilities at the temperature; returns their sum. */
    private double weigh() {
        long[] cand = workspace.candidates;
        double[] w = workspace.weights;
        float max = maxLogit();
        double temperature = params.temperature();
        double sum = 0;
        for (int i = 0; i < count; i++) {
            w[i] = Math.exp(((double) logit(cand[i]) - max) / temperature);
            sum += w[i];
        }
        return sum;
    }

    private float maxLogit() {
        long[] cand = workspace.candidates;
        if (sorted) {
            return logit(cand[0]);
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            max = Math.max(max, logit(cand[i]));
        }
        return max;
    }

    private float logit(long key) {
        return workspace.logits[PackedKeys.id(key)];
    }

    private int checkInVocabulary(String parameter, int id) {
        if (id >= vocabSize) {
            throw new InvalidSamplingParameterException(parameter,
                    "token id " + id + " is outside the vocabulary of " + vocabSize + " tokens");
        }
        return id;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static IllegalStateException allMasked() {
        return new IllegalStateException("every token is masked (logit bias, ignoreEos, minTokens or NaN "
                + "logits): nothing to sample");
    }
}
