package dev.infer4j.runtime.engine;

import dev.infer4j.formats.tokenizer.SpecialTokens;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.runtime.kv.BlockPool;
import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.kv.PrefixCache;
import dev.infer4j.runtime.model.Batch;
import dev.infer4j.runtime.model.Logits;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.model.ModelWarmUp;
import dev.infer4j.runtime.sampling.InvalidSamplingParameterException;
import dev.infer4j.runtime.sampling.SamplerChain;
import dev.infer4j.runtime.sampling.SamplerWorkspace;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.sampling.TokenLogprobs;
import dev.infer4j.runtime.scheduler.Scheduler;
import dev.infer4j.runtime.scheduler.SchedulerConfig;
import dev.infer4j.runtime.scheduler.StepPlan;
import dev.infer4j.runtime.spec.AcceptanceRule;
import dev.infer4j.runtime.spec.NgramProposer;
import dev.infer4j.runtime.spec.DraftLoader;
import dev.infer4j.runtime.spec.SharedVocabulary;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.runtime.spec.SpeculativeSampling;
import dev.infer4j.runtime.text.TextDelta;
import dev.infer4j.runtime.text.TextStream;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs generations for many callers on one model with continuous batching.
 *
 * <p>{@link #submit} may be called from any thread: it tokenizes and validates the request there (so a bad
 * request is refused before anything is queued) and hands it to the step loop through a lock-free queue. The
 * step loop, one platform thread, owns every sequence, the scheduler and the KV cache: each step it asks the
 * {@link Scheduler} for a plan, gives blocks, runs one forward pass over the whole batch, samples, and sends each
 * sequence's events to its listener. Whatever way a sequence ends (finished, cancelled, failed, engine closed),
 * its KV blocks go back to the pool.
 *
 * <p>With {@link Speculation} on, a decoding sequence first gets proposals (from a draft model with its own KV
 * cache, run in batched passes, or from n-gram lookup in its own text); the target then verifies its newest token
 * plus every proposal in the same forward pass, accepting each by the speculative sampling rule so that the
 * output has exactly the target's distribution. Rejected positions are rolled back in both caches: the computed
 * count only covers accepted tokens, blocks past them go back to the pool, and the prefix cache only ever sees
 * accepted tokens.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());
    /** Context used when neither the request nor the model says (llama.cpp's server default). */
    private static final int DEFAULT_CONTEXT = 4096;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Model model;
    private final Tokenizer tokenizer;
    private final EngineConfig config;
    private final AutoCloseable[] owned;
    private final int contextLength;
    private final int vocabSize;
    private final BlockPool pool;
    private final PrefixCache prefixCache;
    private final Scheduler scheduler;
    private final SamplerWorkspace samplerWorkspace;
    private final int[] endOfGeneration;

    private final Queue<Sequence> submitted = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicLong nextId = new AtomicLong();
    private final Thread loop;
    private volatile boolean closing;
    /** Sees a {@link StepSnapshot} after every step (tests), or null. */
    private volatile java.util.function.Consumer<StepSnapshot> stepObserver;

    // Speculative decoding: all null/zero when off.
    private final Speculation speculation;
    private final AcceptanceRule acceptanceRule;
    private final int maxProposals;
    private final NgramProposer ngram;
    private final Model draftModel;
    private final BlockPool draftPool;
    private final float draftMinP;

    // Step-loop state: touched by the loop thread only.
    private final List<Sequence> running = new ArrayList<>();
    private final List<Sequence> waiting = new ArrayList<>();
    private final Batch batch = new Batch();
    private final float[] logitRow;
    private Sequence[] batchSequences = new Sequence[16];
    private boolean[] verifying = new boolean[16];
    private Sequence[] draftSequences = new Sequence[16];
    private final Batch draftBatch = new Batch();
    private double[] draftProbs = new double[0];
    private final double[] targetProbs;
    private final double[] draftRow;
    private final int[] verifyIds;
    private final TokenLogprobs verifyLogprobs = new TokenLogprobs();
    private long draftedTokens;
    private long acceptedDraftTokens;
    private long decodeSteps;
    private long decodeTokens;
    private volatile EngineStats stats;
    private long promptTokensDone;
    private long generatedTokensDone;
    private long preemptions;
    private long steps;

    private Engine(Model model, Tokenizer tokenizer, EngineConfig config, Speculation speculation,
                   AcceptanceRule acceptanceRule, AutoCloseable... owned) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        this.owned = owned.clone();
        int modelContext = model.config().contextLength();
        this.contextLength = config.contextLength() > 0 ? config.contextLength() : modelContext;
        this.vocabSize = model.config().vocabSize();
        this.pool = model.kvCache().pool();
        this.prefixCache = new PrefixCache(pool, model.kvCache().blockSize());
        this.scheduler = new Scheduler(new SchedulerConfig(config.tokenBudget(), config.maxSequences(),
                model.kvCache().blockSize()));
        this.samplerWorkspace = new SamplerWorkspace(vocabSize);
        SpecialTokens special = tokenizer.specialTokens();
        this.endOfGeneration = java.util.Arrays.stream(special.endOfGeneration()).filter(t -> t >= 0 && t < vocabSize)
                .toArray();
        this.logitRow = new float[vocabSize];
        this.speculation = speculation;
        this.acceptanceRule = acceptanceRule;
        this.maxProposals = speculation == null ? 0 : speculation.maxTokens();
        switch (speculation) {
            case null -> {
                this.ngram = null;
                this.draftModel = null;
                this.draftMinP = 0f;
            }
            case Speculation.Ngram n -> {
                this.ngram = new NgramProposer(n.minMatch(), n.maxMatch());
                this.draftModel = null;
                this.draftMinP = 0f;
            }
            case Speculation.Draft d -> {
                SharedVocabulary.require(tokenizer, d.tokenizer(), null);
                if (d.model().config().vocabSize() != vocabSize) {
                    throw new IllegalArgumentException("the draft model's output has " + d.model().config().vocabSize()
                            + " logits per token, the target's " + vocabSize);
                }
                this.ngram = null;
                this.draftModel = d.model();
                this.draftMinP = d.minP();
            }
            case Speculation.DraftFile f -> throw new IllegalArgumentException(
                    "a draft model file is loaded by Engine.open; Engine.create takes a loaded Speculation.Draft");
        }
        this.draftPool = draftModel == null ? null : draftModel.kvCache().pool();
        this.targetProbs = new double[speculation == null ? 0 : vocabSize];
        this.draftRow = new double[draftModel == null ? 0 : vocabSize];
        this.verifyIds = new int[maxProposals + 1];
        this.stats = new EngineStats(0, 0, 0, pool.capacity(), 0, 0, 0, 0, 0, 0, 0, SpeculationCounts.NONE);
        if (config.warmUp()) {
            // on this thread, before the step loop exists: nothing else uses the models yet
            ModelWarmUp.run(model);
            if (draftModel != null) {
                ModelWarmUp.run(draftModel);
            }
        }
        this.loop = Thread.ofPlatform().name("infer4j-engine").daemon(true).unstarted(this::runLoop);
        loop.start();
    }

    /**
     * An engine over a loaded model.
     *
     * @param model     the model, with its KV cache sized for the load this engine will carry
     * @param tokenizer the model's tokenizer
     * @param config    limits
     * @param owned     closed (in order) when the engine closes: the model file, the kernels backend
     */
    public static Engine create(Model model, Tokenizer tokenizer, EngineConfig config, AutoCloseable... owned) {
        return new Engine(model, tokenizer, config, null, null, owned);
    }

    /**
     * An engine over a loaded model that decodes speculatively.
     *
     * @param speculation n-gram lookup, or a loaded {@link Speculation.Draft} whose KV cache is sized for this
     *                    engine's load plus {@code maxTokens} per sequence
     * @param owned       closed (in order) when the engine closes
     * @throws dev.infer4j.formats.ModelFormatException if the draft's vocabulary differs from the target's
     * @throws IllegalArgumentException                 for a {@link Speculation.DraftFile} (use {@link #open})
     */
    public static Engine create(Model model, Tokenizer tokenizer, EngineConfig config, Speculation speculation,
                                AutoCloseable... owned) {
        return new Engine(model, tokenizer, config, java.util.Objects.requireNonNull(speculation, "speculation"),
                AcceptanceRule.SPECULATIVE_SAMPLING, owned);
    }

    /** As {@link #create(Model, Tokenizer, EngineConfig, Speculation, AutoCloseable...)} with another rule (tests). */
    static Engine createWithRule(Model model, Tokenizer tokenizer, EngineConfig config, Speculation speculation,
                                 AcceptanceRule rule, AutoCloseable... owned) {
        return new Engine(model, tokenizer, config, speculation, rule, owned);
    }

    /**
     * Hands {@code observer} a snapshot of both KV pools and every running sequence's blocks after each step, on
     * the step-loop thread (tests of the rollback; null stops it). The observer must not block or throw.
     */
    void observeSteps(java.util.function.Consumer<StepSnapshot> observer) {
        this.stepObserver = observer;
    }

    /**
     * Opens a GGUF model file and starts an engine over it: maps the file, picks the best compute backend,
     * sizes the KV cache for {@code contextLength × maxSequences} positions (or {@code kvTokens}), and loads
     * the tokenizer and the weights in place. Everything is released when the engine closes.
     *
     * @throws java.io.IOException                           if the file cannot be read
     * @throws dev.infer4j.formats.ModelFormatException      if it is not a model infer4j can run
     */
    public static Engine open(java.nio.file.Path modelFile, EngineConfig config) throws java.io.IOException {
        return openWith(modelFile, config, null);
    }

    /**
     * As {@link #open(java.nio.file.Path, EngineConfig)}, decoding speculatively. A {@link Speculation.DraftFile}
     * is loaded on the same compute backend with its own KV cache (the target's positions plus room for the
     * proposals of every sequence) and closed with the engine.
     *
     * @throws dev.infer4j.formats.ModelFormatException if a file is not a model infer4j can run, or the draft's
     *                                                  vocabulary differs from the target's
     */
    public static Engine open(java.nio.file.Path modelFile, EngineConfig config, Speculation speculation)
            throws java.io.IOException {
        return openWith(modelFile, config, java.util.Objects.requireNonNull(speculation, "speculation"));
    }

    private static Engine openWith(java.nio.file.Path modelFile, EngineConfig config, Speculation speculation)
            throws java.io.IOException {
        if (java.nio.file.Files.isDirectory(modelFile)) {
            return openDirectory(modelFile, config, speculation);
        }
        dev.infer4j.formats.gguf.GgufFile file = dev.infer4j.formats.gguf.GgufFile.open(modelFile);
        dev.infer4j.formats.gguf.GgufFile draftFile = null;
        dev.infer4j.kernels.Kernels kernels = null;
        try {
            String arch = file.getString("general.architecture");
            int trained = file.getInt(arch + ".context_length", DEFAULT_CONTEXT);
            int context = config.contextLength() > 0 ? config.contextLength() : Math.min(trained, DEFAULT_CONTEXT);
            int kvTokens = config.kvTokens() > 0 ? config.kvTokens() : context * config.maxSequences();
            Tokenizer tokenizer = dev.infer4j.formats.tokenizer.GgufTokenizers.load(file);
            kernels = dev.infer4j.kernels.Kernels.load(config.threads());
            Model model = Model.load(file, kernels, dev.infer4j.runtime.kv.KvCacheSpec.forPositions(kvTokens));
            EngineConfig sized = config.withContextLength(context);
            if (speculation instanceof Speculation.DraftFile d) {
                draftFile = dev.infer4j.formats.gguf.GgufFile.open(d.file());
                Speculation.Draft loaded = DraftLoader.load(d, draftFile, tokenizer, kernels, kvTokens,
                        config.maxSequences(), dev.infer4j.kernels.AttentionMethod.SOFTMAX);
                return new Engine(model, tokenizer, sized, loaded, AcceptanceRule.SPECULATIVE_SAMPLING, kernels,
                        file, draftFile);
            }
            return new Engine(model, tokenizer, sized, speculation,
                    speculation == null ? null : AcceptanceRule.SPECULATIVE_SAMPLING, kernels, file);
        } catch (RuntimeException e) {
            if (kernels != null) {
                kernels.close();
            }
            file.close();
            if (draftFile != null) {
                draftFile.close();
            }
            throw e;
        }
    }

    /**
     * A Hugging Face model directory (config.json, safetensors weights in F32/F16/BF16 or GPTQ/AWQ int4,
     * tokenizer.json): read in place like a GGUF file.
     */
    private static Engine openDirectory(java.nio.file.Path dir, EngineConfig config, Speculation speculation) {
        if (speculation instanceof Speculation.DraftFile) {
            throw new IllegalArgumentException("a draft model is supported with GGUF targets only; use --spec ngram "
                    + "with a model directory");
        }
        int trained = dev.infer4j.formats.hf.HfModelConfig.read(dir).maxPositions();
        int context = config.contextLength() > 0 ? config.contextLength()
                : Math.min(trained > 0 ? trained : DEFAULT_CONTEXT, DEFAULT_CONTEXT);
        int kvTokens = config.kvTokens() > 0 ? config.kvTokens() : context * config.maxSequences();
        dev.infer4j.kernels.Kernels kernels = dev.infer4j.kernels.Kernels.load(config.threads());
        try {
            dev.infer4j.runtime.model.hf.HfModel hf = dev.infer4j.runtime.model.hf.HfModel.load(dir, kernels,
                    dev.infer4j.runtime.kv.KvCacheSpec.forPositions(kvTokens));
            return new Engine(hf.model(), hf.tokenizer(), config.withContextLength(context), speculation,
                    speculation == null ? null : AcceptanceRule.SPECULATIVE_SAMPLING, kernels, hf);
        } catch (RuntimeException e) {
            kernels.close();
            throw e;
        }
    }

    /** The model. */
    public Model model() {
        return model;
    }

    /** The model's tokenizer. */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** Most positions one sequence may use. */
    public int contextLength() {
        return contextLength;
    }

    /**
     * Whether this engine decodes speculatively; every request it serves then reports its own counts in
     * {@link Usage#speculation()} (all zero for one that never reached a decode step).
     */
    public boolean speculates() {
        return speculation != null;
    }

    /** The latest snapshot of queue and cache usage. */
    public EngineStats stats() {
        return stats;
    }

    /**
     * Starts a generation. Its events go to {@code listener} on the engine thread.
     *
     * @throws RequestRejectedException if the request cannot run: too long for the context or the KV cache,
     *                                  invalid parameters, the queue is full, or the engine is closed
     */
    public GenerationHandle submit(GenerationRequest request, GenerationListener listener) {
        if (closing) {
            throw new RequestRejectedException(RequestRejectedException.Reason.SHUT_DOWN, null, "the engine is shut down");
        }
        int[] prompt = tokenize(request.prompt());
        SamplingParams sampling = request.sampling();
        int room = contextLength - prompt.length;
        if (room < 1) {
            throw new RequestRejectedException(RequestRejectedException.Reason.CONTEXT_LENGTH_EXCEEDED, "messages",
                    "This model's maximum context length is " + contextLength + " tokens. However, your prompt has "
                            + prompt.length + " tokens, which leaves no room to generate.");
        }
        int limit = sampling.maxTokens() < 0 ? room : sampling.maxTokens();
        if (limit > room) {
            throw new RequestRejectedException(RequestRejectedException.Reason.CONTEXT_LENGTH_EXCEEDED, "max_tokens",
                    "This model's maximum context length is " + contextLength + " tokens. However, you requested "
                            + (prompt.length + limit) + " tokens (" + prompt.length + " in the prompt, " + limit
                            + " in the completion). Please reduce the prompt or the completion length.");
        }
        int blocksNeeded = scheduler.config().blocksFor(prompt.length + Math.max(limit, 1));
        if (blocksNeeded > pool.capacity()) {
            throw new RequestRejectedException(RequestRejectedException.Reason.CONTEXT_LENGTH_EXCEEDED, "max_tokens",
                    "The request needs " + blocksNeeded * scheduler.config().blockSize() + " KV cache positions but "
                            + "the whole cache holds " + pool.capacity() * scheduler.config().blockSize());
        }
        SamplerChain sampler;
        try {
            sampler = new SamplerChain(sampling, endOfGeneration, samplerWorkspace);
        } catch (InvalidSamplingParameterException e) {
            throw new RequestRejectedException(RequestRejectedException.Reason.INVALID_REQUEST, e.parameter(), e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new RequestRejectedException(RequestRejectedException.Reason.INVALID_REQUEST, null, e.getMessage());
        }
        if (accepted.incrementAndGet() > config.maxSequences() + config.maxWaiting()) {
            accepted.decrementAndGet();
            throw new RequestRejectedException(RequestRejectedException.Reason.OVERLOADED, null,
                    "the server is busy: " + config.maxWaiting() + " requests are already waiting");
        }
        int[] stopIds = sampling.stopTokenIds().stream().mapToInt(Integer::intValue).toArray();
        TextStream text = new TextStream(tokenizer, request.renderSpecial(), false, sampling.stop());
        Sequence seq = new Sequence(nextId.getAndIncrement(), prompt, listener, sampler, text,
                model.kvCache().newTable(), limit, stopIds, sampling.logprobs());
        if (request.promptLogprobs() >= 0) {
            seq.promptLogprobs = request.promptLogprobs();
            seq.promptScores = new ArrayList<>(prompt.length);
            seq.promptTop = new ArrayList<>(prompt.length);
            seq.promptScores.add(new dev.infer4j.runtime.sampling.TokenLogprob(prompt[0], Float.NaN));
            seq.promptTop.add(List.of());
            // every prompt position must be computed to be scored
            seq.prefixLookedUp = true;
            seq.started = true;
        }
        if (speculation != null) {
            seq.speculate(maxProposals, draftModel == null ? null : draftModel.kvCache().newTable());
        }
        submitted.add(seq);
        LockSupport.unpark(loop);
        return seq;
    }

    private int[] tokenize(Prompt prompt) {
        int[] ids = switch (prompt) {
            case Prompt.Text t -> tokenizer.encode(t.text(), t.addSpecial(), t.parseSpecial());
            case Prompt.Tokens t -> t.ids();
        };
        if (ids.length == 0) {
            throw new RequestRejectedException(RequestRejectedException.Reason.INVALID_REQUEST, "prompt",
                    "the prompt is empty");
        }
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new RequestRejectedException(RequestRejectedException.Reason.INVALID_REQUEST, "prompt",
                        "token id " + id + " is outside the vocabulary of " + vocabSize);
            }
        }
        return ids;
    }

    // ---- the step loop -------------------------------------------------------------------------------------

    private void runLoop() {
        while (!closing) {
            try {
                admitSubmissions();
                endCancelled();
                if (running.isEmpty() && waiting.isEmpty()) {
                    publishStats();
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    continue;
                }
                step();
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "engine step failed; failing the sequences of this step", e);
                failBatch(e);
            }
        }
        shutDownSequences();
    }

    private void admitSubmissions() {
        for (Sequence s; (s = submitted.poll()) != null; ) {
            waiting.add(s);
        }
    }

    private void endCancelled() {
        for (List<Sequence> list : List.of(running, waiting)) {
            for (int i = list.size() - 1; i >= 0; i--) {
                Sequence s = list.get(i);
                if (s.cancelRequested()) {
                    list.remove(i);
                    finish(s, FinishReason.CANCELLED, "", null);
                }
            }
        }
    }

    private void step() {
        reusePrefixes();
        if (speculation != null) {
            offerProposals();
        }
        StepPlan plan = scheduler.plan(running, waiting, pool.freeBlocks() + prefixCache.evictable());
        for (long id : plan.preempted()) {
            Sequence s = remove(running, id);
            releaseBlocks(s);
            s.computed = 0;
            s.draftComputed = 0;
            s.speculativeBudget = 0;
            // a sequence still scoring its prompt must compute every position itself
            s.prefixLookedUp = s.promptScores != null;
            s.chain = PrefixCache.Chain.empty(0);
            insertByArrival(waiting, s);
            preemptions++;
        }
        for (long id : plan.admitted()) {
            insertByArrival(running, remove(waiting, id));
        }
        if (plan.isEmpty()) {
            // Nothing fits even with the cache empty: submit() prevents this, so fail loudly rather than spin.
            if (running.isEmpty() && !waiting.isEmpty()) {
                Sequence s = waiting.removeFirst();
                fail(s, "the request does not fit the KV cache");
            }
            return;
        }
        int needed = 0;
        for (StepPlan.Chunk chunk : plan.chunks()) {
            needed += chunk.newBlocks();
        }
        if (needed > pool.freeBlocks()) {
            prefixCache.evict(needed - pool.freeBlocks());
        }
        batch.clear();
        if (batchSequences.length < plan.chunks().size()) {
            batchSequences = new Sequence[plan.chunks().size() * 2];
            verifying = new boolean[batchSequences.length];
        }
        int n = 0;
        for (StepPlan.Chunk chunk : plan.chunks()) {
            Sequence s = find(running, chunk.sequenceId());
            // with speculation on, every decode goes through verification (with however many proposals it has)
            verifying[n] = speculation != null && s.total - s.computed == 1;
            if (verifying[n]) {
                s.proposalCount = Math.min(s.proposalCount, chunk.length() - 1);
                s.draftWant = chunk.length() - 1;
            }
            batchSequences[n++] = s;
        }
        if (draftModel != null) {
            draft(n);
        }
        for (int i = 0; i < n; i++) {
            Sequence s = batchSequences[i];
            StepPlan.Chunk chunk = plan.chunks().get(i);
            if (verifying[i]) {
                int count = 1 + s.proposalCount;
                verifyIds[0] = s.tokens[s.total - 1];
                System.arraycopy(s.proposals, 0, verifyIds, 1, s.proposalCount);
                s.table.ensureCapacity(chunk.start() + count, pool);
                batch.add(s.table, chunk.start(), verifyIds, 0, count, true);
            } else {
                s.table.ensureCapacity(chunk.start() + chunk.length(), pool);
                batch.add(s.table, chunk.start(), s.tokens, chunk.start(), chunk.length(), scoresPrompt(s, chunk));
            }
        }
        Logits logits = model.forward(batch);
        steps++;
        n = 0;
        for (StepPlan.Chunk chunk : plan.chunks()) {
            Sequence s = batchSequences[n];
            if (verifying[n]) {
                if (s.promptScores != null && !emitPromptScores(s)) {
                    batchSequences[n++] = null;
                    continue;
                }
                verify(s, logits, logits.firstRow(n));
                batchSequences[n++] = null;
                continue;
            }
            boolean scored = scoresPrompt(s, chunk);
            if (scored) {
                scorePrompt(s, chunk, logits, logits.firstRow(n));
            }
            s.computed += chunk.length();
            s.chain = prefixCache.register(s.tokens, s.computed, s.table, s.chain);
            if (s.computed <= s.promptLength) {
                promptTokensDone += chunk.length();
            }
            if (chunk.samplesToken()) {
                if (s.promptScores != null && !emitPromptScores(s)) {
                    batchSequences[n++] = null;
                    continue;
                }
                if (s.generationLimit == 0) {
                    // max_tokens 0: the prompt (and its scores) was all that was asked for
                    removeFromRunning(s);
                    finish(s, FinishReason.LENGTH, null, null);
                } else {
                    logits.copyRow(logits.firstRow(n) + (scored ? chunk.length() - 1 : 0), logitRow, 0);
                    sampleAndEmit(s);
                }
            }
            batchSequences[n++] = null;
        }
        publishStats();
        java.util.function.Consumer<StepSnapshot> observer = stepObserver;
        if (observer != null) {
            observer.accept(snapshot());
        }
    }

    private StepSnapshot snapshot() {
        List<StepSnapshot.SequenceBlocks> held = new ArrayList<>(running.size());
        for (Sequence s : running) {
            held.add(new StepSnapshot.SequenceBlocks(s.id, s.total, s.computed, s.table.blockCount(),
                    s.draftComputed, s.draftTable == null ? 0 : s.draftTable.blockCount()));
        }
        return new StepSnapshot(pool.usedBlocks(), prefixCache.evictable(), model.kvCache().blockSize(),
                draftPool == null ? 0 : draftPool.usedBlocks(),
                draftModel == null ? 0 : draftModel.kvCache().blockSize(), List.copyOf(held));
    }

    private static boolean scoresPrompt(Sequence s, StepPlan.Chunk chunk) {
        return s.promptScores != null && chunk.start() < s.promptLength;
    }

    /** Records the log-probability of each prompt token this chunk's logits predict. */
    private void scorePrompt(Sequence s, StepPlan.Chunk chunk, Logits logits, int firstRow) {
        for (int j = 0; j < chunk.length(); j++) {
            int next = chunk.start() + j + 1;
            if (next >= s.promptLength || next < s.promptScores.size()) {
                continue;
            }
            logits.copyRow(firstRow + j, logitRow, 0);
            verifyLogprobs.compute(logitRow, 0, vocabSize, s.tokens[next], s.promptLogprobs);
            TokenLogprobs.Snapshot snap = verifyLogprobs.snapshot();
            s.promptScores.add(snap.chosen());
            s.promptTop.add(snap.top());
        }
    }

    /** Sends the prompt's scores once; false if the listener failed (the sequence is then cancelled). */
    private boolean emitPromptScores(Sequence s) {
        GenerationEvent.PromptLogprobs event = new GenerationEvent.PromptLogprobs(s.promptScores, s.promptTop);
        s.promptScores = null;
        s.promptTop = null;
        return emit(s, event);
    }

    /**
     * Gives the sequences next in line the K/V blocks the prefix cache holds for the start of their tokens, so
     * the scheduler plans only the rest. At least the last token is always computed: its logits are needed.
     */
    private void reusePrefixes() {
        int looked = 0;
        for (Sequence s : waiting) {
            if (looked++ == config.maxSequences()) {
                break;
            }
            if (s.prefixLookedUp || s.table.blockCount() != 0) {
                continue;
            }
            s.prefixLookedUp = true;
            s.chain = prefixCache.attach(s.tokens, s.total - 1, 0, s.table);
            s.computed = s.chain.blocks() * scheduler.config().blockSize();
            if (!s.started) {
                s.cachedTokens = Math.min(s.computed, s.promptLength);
                s.started = true;
            }
        }
    }

    private void sampleAndEmit(Sequence s) {
        int token;
        try {
            token = s.sampler.sample(logitRow, 0, vocabSize, s.history);
        } catch (IllegalStateException everyTokenMasked) {
            removeFromRunning(s);
            fail(s, everyTokenMasked.getMessage());
            return;
        }
        emitToken(s, token, s.wantsLogprobs ? s.sampler.lastLogprobs() : null);
    }

    /**
     * Appends a chosen token and sends its event; ends the sequence on an end token, a stop string or a limit.
     *
     * @param logprobs the token's log-probabilities when the request wants them, else null
     * @return whether the sequence goes on
     */
    private boolean emitToken(Sequence s, int token, TokenLogprobs logprobs) {
        s.append(token);
        generatedTokensDone++;
        boolean endToken = isEndOfGeneration(token) || s.isStopToken(token);
        if (endToken) {
            removeFromRunning(s);
            finish(s, FinishReason.STOP, null, null);
            return false;
        }
        TextDelta delta = s.text.push(token);
        GenerationEvent.Token event;
        if (logprobs != null) {
            TokenLogprobs.Snapshot lp = logprobs.snapshot();
            event = new GenerationEvent.Token(token, delta.text(), lp.chosen(), lp.top());
        } else {
            event = new GenerationEvent.Token(token, delta.text(), null, List.of());
        }
        if (!emit(s, event)) {
            return false;
        }
        if (delta.stopped()) {
            removeFromRunning(s);
            finish(s, FinishReason.STOP, "", delta.stop());
            return false;
        } else if (s.generated >= s.generationLimit || s.total >= contextLength) {
            removeFromRunning(s);
            finish(s, FinishReason.LENGTH, null, null);
            return false;
        }
        return true;
    }

    // ---- speculative decoding -------------------------------------------------------------------------------

    /**
     * Tells the planner how many proposals each decoding sequence would like verified: n-gram proposals are made
     * here (their number is exact); a draft model drafts after planning, up to what the plan grants. Proposals
     * are capped by the sequence's token limit and the context.
     */
    private void offerProposals() {
        for (Sequence s : running) {
            s.speculativeBudget = 0;
            s.proposalCount = 0;
            if (!s.speculates || s.total - s.computed != 1) {
                continue;
            }
            // accepting them all may reach the limit: the sequence then ends without the extra sampled token
            int room = Math.min(maxProposals, Math.min(s.generationLimit - s.generated, contextLength - s.total));
            if (room <= 0) {
                continue;
            }
            if (ngram != null) {
                s.proposalCount = ngram.propose(s.tokens, s.total, room, s.proposals);
                s.speculativeBudget = s.proposalCount;
            } else {
                s.speculativeBudget = room;
            }
        }
    }

    /**
     * Runs the draft model for the verifying sequences of this step: the first pass catches each draft cache up
     * to the sequence's tokens, each later pass feeds the previous proposal, all sequences in one batch. Each
     * proposal is drawn from the draft's distribution under the sequence's own sampling parameters, which is kept
     * for the acceptance test. A sequence stops drafting at its granted count, at a token the draft is less sure
     * of than {@code minP}, or when the draft cache has no room.
     */
    private void draft(int chunks) {
        int d = 0;
        for (int i = 0; i < chunks; i++) {
            Sequence s = batchSequences[i];
            s.drafting = verifying[i] && s.draftWant > 0;
            if (s.drafting) {
                s.proposalCount = 0;
                s.draftSlot = d++;
            }
        }
        if (d == 0) {
            return;
        }
        if (draftProbs.length < d * maxProposals * vocabSize) {
            draftProbs = new double[d * maxProposals * vocabSize];
        }
        if (draftSequences.length < d) {
            draftSequences = new Sequence[d * 2];
        }
        while (true) {
            draftBatch.clear();
            int m = 0;
            for (int i = 0; i < chunks; i++) {
                Sequence s = batchSequences[i];
                if (!verifying[i] || !s.drafting) {
                    continue;
                }
                int position = s.draftComputed;
                boolean catchUp = position < s.total;
                int count = catchUp ? s.total - position : 1;
                BlockTable t = s.draftTable;
                if (t.blocksFor(position + count) - t.blockCount() > draftPool.freeBlocks()) {
                    s.drafting = false;
                    continue;
                }
                t.ensureCapacity(position + count, draftPool);
                if (catchUp) {
                    draftBatch.add(t, position, s.tokens, position, count, false);
                } else {
                    draftBatch.add(t, position, s.proposals, s.proposalCount - 1, 1, false);
                }
                s.draftComputed = position + count;
                draftSequences[m++] = s;
            }
            if (m == 0) {
                break;
            }
            Logits logits = draftModel.forward(draftBatch);
            for (int k = 0; k < m; k++) {
                Sequence s = draftSequences[k];
                draftSequences[k] = null;
                logits.copyRow(logits.firstRow(k), logitRow, 0);
                try {
                    s.sampler.distribution(logitRow, 0, vocabSize, s.history, draftRow);
                } catch (IllegalStateException everyTokenMasked) {
                    s.drafting = false;
                    continue;
                }
                int x = SpeculativeSampling.draw(draftRow, 0, vocabSize, s.speculationRandom);
                if (draftMinP > 0 && SpeculativeSampling.confidence(logitRow, 0, vocabSize, x) < draftMinP) {
                    s.drafting = false;
                    continue;
                }
                System.arraycopy(draftRow, 0, draftProbs, draftOffset(s, s.proposalCount), vocabSize);
                s.proposals[s.proposalCount++] = x;
                if (s.proposalCount == s.draftWant) {
                    s.drafting = false;
                }
            }
        }
    }

    private int draftOffset(Sequence s, int proposal) {
        return (s.draftSlot * maxProposals + proposal) * vocabSize;
    }

    /**
     * Accepts the sequence's proposals in order against the target's rows (row i is the target's next-token
     * logits after proposal i-1): each with probability min(1, p/q), the first rejected one replaced by a draw
     * from the residual {@code norm(max(0, p - q))}; when all pass, one more token is sampled from the last row.
     * Then the caches roll back to what was accepted.
     */
    private void verify(Sequence s, Logits logits, int firstRow) {
        int n = s.proposalCount;
        s.proposalCount = 0;
        s.computed++;
        s.decodeSteps++;
        decodeSteps++;
        s.draftedTokens += n;
        draftedTokens += n;
        for (int i = 0; i <= n; i++) {
            logits.copyRow(firstRow + i, logitRow, 0);
            int token;
            boolean accepted = false;
            try {
                if (i == n) {
                    token = s.sampler.sample(logitRow, 0, vocabSize, s.history);
                } else {
                    s.sampler.distribution(logitRow, 0, vocabSize, s.history, targetProbs);
                    int x = s.proposals[i];
                    double q = draftModel == null ? 1.0 : draftProbs[draftOffset(s, i) + x];
                    accepted = acceptanceRule.accepts(targetProbs[x], q, s.speculationRandom);
                    token = accepted ? x : draftModel == null
                            ? acceptanceRule.replacement(targetProbs, null, 0, x, vocabSize, s.speculationRandom)
                            : acceptanceRule.replacement(targetProbs, draftProbs, draftOffset(s, i), x, vocabSize,
                                    s.speculationRandom);
                }
            } catch (IllegalStateException everyTokenMasked) {
                removeFromRunning(s);
                fail(s, everyTokenMasked.getMessage());
                return;
            }
            if (accepted) {
                // its K/V, written in this pass, belongs to the sequence now
                s.computed++;
                s.acceptedTokens++;
                acceptedDraftTokens++;
            }
            TokenLogprobs lp = null;
            if (s.wantsLogprobs) {
                verifyLogprobs.compute(logitRow, 0, vocabSize, token, s.topLogprobs);
                lp = verifyLogprobs;
            }
            s.decodeTokens++;
            decodeTokens++;
            if (!emitToken(s, token, lp) || !accepted) {
                break;
            }
        }
        if (s.table.blockCount() == 0) {
            return;
        }
        s.chain = prefixCache.register(s.tokens, s.computed, s.table, s.chain);
        s.table.truncate(s.total, pool);
        if (s.draftTable != null) {
            s.draftComputed = Math.min(s.draftComputed, s.computed);
            s.draftTable.truncate(s.total, draftPool);
        }
    }

    private void releaseBlocks(Sequence s) {
        s.table.release(pool);
        if (s.draftTable != null) {
            s.draftTable.release(draftPool);
        }
    }

    private boolean isEndOfGeneration(int token) {
        for (int id : endOfGeneration) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    /** Sends an event; a listener that throws gets its sequence cancelled. */
    private boolean emit(Sequence s, GenerationEvent event) {
        try {
            s.listener.onEvent(event);
            return true;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener of sequence " + s.id + " failed; cancelling it", e);
            s.cancel();
            return false;
        }
    }

    /**
     * Ends a sequence that is no longer in running or waiting: releases its blocks, then tells its listener.
     *
     * @param tail text to release (null: flush the text stream)
     */
    private void finish(Sequence s, FinishReason reason, String tail, String stop) {
        releaseBlocks(s);
        accepted.decrementAndGet();
        String text = tail;
        String matched = stop;
        if (tail == null) {
            TextDelta last = s.text.finish();
            text = last.text();
            if (last.stopped()) {
                reason = FinishReason.STOP;
                matched = last.stop();
            }
        }
        emitFinal(s, new GenerationEvent.Finished(reason, text, matched, s.usage()));
    }

    private void fail(Sequence s, String message) {
        releaseBlocks(s);
        accepted.decrementAndGet();
        emitFinal(s, new GenerationEvent.Failed(message, s.usage()));
    }

    private void emitFinal(Sequence s, GenerationEvent event) {
        try {
            s.listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "listener of sequence " + s.id + " failed on its final event", e);
        }
    }

    private void failBatch(Throwable cause) {
        String message = "internal error: " + cause;
        for (Sequence s : new ArrayList<>(running)) {
            running.remove(s);
            fail(s, message);
        }
        java.util.Arrays.fill(batchSequences, null);
    }

    private void shutDownSequences() {
        admitSubmissions();
        for (Sequence s : new ArrayList<>(running)) {
            running.remove(s);
            fail(s, "the engine was shut down");
        }
        for (Sequence s : new ArrayList<>(waiting)) {
            waiting.remove(s);
            fail(s, "the engine was shut down");
        }
        publishStats();
    }

    private void removeFromRunning(Sequence s) {
        running.remove(s);
    }

    private void publishStats() {
        stats = new EngineStats(running.size(), waiting.size() + submitted.size(),
                pool.usedBlocks() - prefixCache.evictable(), pool.capacity(), promptTokensDone, generatedTokensDone,
                preemptions, steps, prefixCache.size(), prefixCache.lookups(), prefixCache.hits(),
                new SpeculationCounts(draftedTokens, acceptedDraftTokens, decodeSteps, decodeTokens));
    }

    private static Sequence find(List<Sequence> list, long id) {
        for (Sequence s : list) {
            if (s.id == id) {
                return s;
            }
        }
        throw new IllegalStateException("scheduler named sequence " + id + ", which is not there");
    }

    private static Sequence remove(List<Sequence> list, long id) {
        Sequence s = find(list, id);
        list.remove(s);
        return s;
    }

    private static void insertByArrival(List<Sequence> list, Sequence s) {
        int i = list.size();
        while (i > 0 && list.get(i - 1).id > s.id) {
            i--;
        }
        list.add(i, s);
    }

    /**
     * Starts a generation and returns its events as a blocking stream, for callers that want to pull
     * (appliances, the command line). Closing the stream cancels the generation if it is still running.
     */
    public GenerationStream stream(GenerationRequest request) {
        GenerationStream stream = new GenerationStream();
        stream.attach(submit(request, stream::offer));
        return stream;
    }

    /** Runs a generation to its end and returns the whole result. */
    public Completion complete(GenerationRequest request) throws InterruptedException {
        try (GenerationStream stream = stream(request)) {
            return stream.collect();
        }
    }

    /** Stops the step loop (running generations fail with "shut down"), then closes what the engine owns. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(loop);
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + c + " failed", e);
            }
        }
    }
}
