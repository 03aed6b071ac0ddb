package dev.infer4j.runtime.engine;

import dev.infer4j.formats.tokenizer.SpecialTokens;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.runtime.kv.BlockPool;
import dev.infer4j.runtime.kv.PrefixCache;
import dev.infer4j.runtime.model.Batch;
import dev.infer4j.runtime.model.Logits;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.sampling.InvalidSamplingParameterException;
import dev.infer4j.runtime.sampling.SamplerChain;
import dev.infer4j.runtime.sampling.SamplerWorkspace;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.sampling.TokenLogprobs;
import dev.infer4j.runtime.scheduler.Scheduler;
import dev.infer4j.runtime.scheduler.SchedulerConfig;
import dev.infer4j.runtime.scheduler.StepPlan;
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

    // Step-loop state: touched by the loop thread only.
    private final List<Sequence> running = new ArrayList<>();
    private final List<Sequence> waiting = new ArrayList<>();
    private final Batch batch = new Batch();
    private final float[] logitRow;
    private Sequence[] batchSequences = new Sequence[16];
    private volatile EngineStats stats;
    private long promptTokensDone;
    private long generatedTokensDone;
    private long preemptions;
    private long steps;

    private Engine(Model model, Tokenizer tokenizer, EngineConfig config, AutoCloseable... owned) {
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
        this.stats = new EngineStats(0, 0, 0, pool.capacity(), 0, 0, 0, 0, 0, 0, 0);
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
        return new Engine(model, tokenizer, config, owned);
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
        dev.infer4j.formats.gguf.GgufFile file = dev.infer4j.formats.gguf.GgufFile.open(modelFile);
        dev.infer4j.kernels.Kernels kernels = null;
        try {
            String arch = file.getString("general.architecture");
            int trained = file.getInt(arch + ".context_length", DEFAULT_CONTEXT);
            int context = config.contextLength() > 0 ? config.contextLength() : Math.min(trained, DEFAULT_CONTEXT);
            int kvTokens = config.kvTokens() > 0 ? config.kvTokens() : context * config.maxSequences();
            Tokenizer tokenizer = dev.infer4j.formats.tokenizer.GgufTokenizers.load(file);
            kernels = dev.infer4j.kernels.Kernels.load(config.threads());
            Model model = Model.load(file, kernels, dev.infer4j.runtime.kv.KvCacheSpec.forPositions(kvTokens));
            return new Engine(model, tokenizer, config.withContextLength(context), kernels, file);
        } catch (RuntimeException e) {
            if (kernels != null) {
                kernels.close();
            }
            file.close();
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
        StepPlan plan = scheduler.plan(running, waiting, pool.freeBlocks() + prefixCache.evictable());
        for (long id : plan.preempted()) {
            Sequence s = remove(running, id);
            s.table.release(pool);
            s.computed = 0;
            s.prefixLookedUp = false;
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
        }
        int n = 0;
        for (StepPlan.Chunk chunk : plan.chunks()) {
            Sequence s = find(running, chunk.sequenceId());
            s.table.ensureCapacity(chunk.start() + chunk.length(), pool);
            batch.add(s.table, chunk.start(), s.tokens, chunk.start(), chunk.length(), false);
            batchSequences[n++] = s;
        }
        Logits logits = model.forward(batch);
        steps++;
        n = 0;
        for (StepPlan.Chunk chunk : plan.chunks()) {
            Sequence s = batchSequences[n];
            s.computed += chunk.length();
            s.chain = prefixCache.register(s.tokens, s.computed, s.table, s.chain);
            if (s.computed <= s.promptLength) {
                promptTokensDone += chunk.length();
            }
            if (chunk.samplesToken()) {
                logits.copyRow(logits.firstRow(n), logitRow, 0);
                sampleAndEmit(s);
            }
            batchSequences[n++] = null;
        }
        publishStats();
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
        s.append(token);
        generatedTokensDone++;
        boolean endToken = isEndOfGeneration(token) || s.isStopToken(token);
        if (endToken) {
            removeFromRunning(s);
            finish(s, FinishReason.STOP, null, null);
            return;
        }
        TextDelta delta = s.text.push(token);
        GenerationEvent.Token event;
        if (s.wantsLogprobs) {
            TokenLogprobs.Snapshot lp = s.sampler.lastLogprobs().snapshot();
            event = new GenerationEvent.Token(token, delta.text(), lp.chosen(), lp.top());
        } else {
            event = new GenerationEvent.Token(token, delta.text(), null, List.of());
        }
        if (!emit(s, event)) {
            return;
        }
        if (delta.stopped()) {
            removeFromRunning(s);
            finish(s, FinishReason.STOP, "", delta.stop());
        } else if (s.generated >= s.generationLimit || s.total >= contextLength) {
            removeFromRunning(s);
            finish(s, FinishReason.LENGTH, null, null);
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
        s.table.release(pool);
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
        s.table.release(pool);
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
                preemptions, steps, prefixCache.size(), prefixCache.lookups(), prefixCache.hits());
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
