package dev.infer4j.runtime.engine;

import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.kv.PrefixCache;
import dev.infer4j.runtime.sampling.SamplerChain;
import dev.infer4j.runtime.sampling.SplitMix64;
import dev.infer4j.runtime.sampling.TokenHistory;
import dev.infer4j.runtime.scheduler.SequenceView;
import dev.infer4j.runtime.text.TextStream;

import java.util.Arrays;

/**
 * One generation's state inside the engine. Touched only by the step-loop thread, except {@link #cancel()}.
 */
final class Sequence implements SequenceView, GenerationHandle {
    final long id;
    final GenerationListener listener;
    final SamplerChain sampler;
    final TokenHistory history;
    final TextStream text;
    final BlockTable table;
    final int promptLength;
    /** Most tokens this sequence may generate (request limit, or what the context leaves). */
    final int generationLimit;
    final int[] stopTokenIds;
    final boolean wantsLogprobs;
    final int topLogprobs;

    /** Alternatives to report with each prompt token's log-probability, or -1 for no prompt scoring. */
    int promptLogprobs = -1;
    /** The prompt's scores so far (filled while its prefill runs), when {@link #promptLogprobs} asks. */
    java.util.List<dev.infer4j.runtime.sampling.TokenLogprob> promptScores;
    java.util.List<java.util.List<dev.infer4j.runtime.sampling.TokenLogprob>> promptTop;

    /** Prompt then generated tokens; the first {@link #total} count. */
    int[] tokens;
    int total;
    int computed;
    int generated;
    int cachedTokens;
    /** Whether the prefix cache was consulted since the sequence last held no blocks. */
    boolean prefixLookedUp;
    /** Whether the sequence has ever started (its first admission sets {@link #cachedTokens}). */
    boolean started;
    /** The full blocks registered in (or reused from) the prefix cache. */
    PrefixCache.Chain chain = PrefixCache.Chain.empty(0);

    // Speculative decoding (unused when the engine does not speculate).
    /** Whether this sequence proposes tokens. */
    boolean speculates;
    /** Proposals to verify this step; the first {@link #proposalCount} count. */
    int[] proposals = new int[0];
    int proposalCount;
    /** Proposals the planner may budget this step (n-gram: exactly those found; draft: an upper bound). */
    int speculativeBudget;
    /** The draft model's blocks for this sequence, or null without a draft model. */
    BlockTable draftTable;
    /** Positions whose K/V the draft model holds. */
    int draftComputed;
    /** Whether the draft is still proposing in this step. */
    boolean drafting;
    /** Most proposals the draft may make in this step. */
    int draftWant;
    /** Index of this sequence's draft distributions in the engine's scratch. */
    int draftSlot;
    /** Uniform numbers for acceptance and residual draws, apart from the sampler's own stream. */
    SplitMix64 speculationRandom;
    long draftedTokens;
    long acceptedTokens;
    long decodeSteps;
    long decodeTokens;
    private volatile boolean cancelRequested;

    Sequence(long id, int[] prompt, GenerationListener listener, SamplerChain sampler, TextStream text,
             BlockTable table, int generationLimit, int[] stopTokenIds, int logprobs) {
        this.id = id;
        this.listener = listener;
        this.sampler = sampler;
        this.text = text;
        this.table = table;
        this.promptLength = prompt.length;
        this.generationLimit = generationLimit;
        this.stopTokenIds = stopTokenIds.clone();
        Arrays.sort(this.stopTokenIds);
        this.wantsLogprobs = logprobs >= 0;
        this.topLogprobs = Math.max(0, logprobs);
        this.tokens = Arrays.copyOf(prompt, prompt.length + Math.min(generationLimit, 256) + 1);
        this.total = prompt.length;
        this.history = new TokenHistory(Math.max(64, prompt.length + generationLimit + 1));
        history.addPrompt(prompt);
    }

    /** Turns speculation on: up to {@code maxProposals} per step, drafted with {@code draftTable} (or null). */
    void speculate(int maxProposals, BlockTable draftTable) {
        this.speculates = true;
        this.proposals = new int[maxProposals];
        this.draftTable = draftTable;
        this.speculationRandom = new SplitMix64(sampler.seed() ^ 0x5851F42D4C957F2DL);
    }

    void append(int token) {
        if (total == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[total++] = token;
        generated++;
        history.addGenerated(token);
    }

    boolean isStopToken(int token) {
        return Arrays.binarySearch(stopTokenIds, token) >= 0;
    }

    boolean cancelRequested() {
        return cancelRequested;
    }

    Usage usage() {
        return new Usage(promptLength, generated, cachedTokens,
                speculates ? new SpeculationCounts(draftedTokens, acceptedTokens, decodeSteps, decodeTokens)
                        : SpeculationCounts.NONE);
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public int promptTokens() {
        return promptLength;
    }

    @Override
    public void cancel() {
        cancelRequested = true;
    }

    @Override
    public int totalTokens() {
        return total;
    }

    @Override
    public int computedTokens() {
        return computed;
    }

    @Override
    public int speculativeTokens() {
        return speculativeBudget;
    }

    @Override
    public int heldBlocks() {
        return table.blockCount();
    }
}
