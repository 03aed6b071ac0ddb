package dev.infer4j.bench.model;

import dev.infer4j.runtime.kv.BlockPool;
import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.model.Batch;
import dev.infer4j.runtime.model.Logits;
import dev.infer4j.runtime.model.Model;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * Times a loaded {@link Model}: prefill of one prompt in one forward, greedy decode at batch 1 (one token per
 * forward, {@link Logits#argmax}), and batched decode of several sequences with their own block tables.
 *
 * <p>Every figure comes after a warm-up run of the same shape (so the JIT has compiled the kernels and the
 * buffers are sized), and each run starts from empty block tables that it gives back at the end. Prompts are
 * fixed pseudo-random token ids, different for each sequence; end-of-sequence tokens are ignored.
 */
public final class ModelBenchmark {
    private final Model model;
    private final BenchSettings settings;
    private final BlockPool pool;
    private final Batch batch = new Batch();
    private final int[] oneToken = new int[1];
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();

    /**
     * @param model    a model whose KV cache has at least {@link BenchSettings#kvBlocks} blocks
     * @param settings what to run
     */
    public ModelBenchmark(Model model, BenchSettings settings) {
        this.model = model;
        this.settings = settings;
        this.pool = model.kvCache().pool();
        int needed = settings.kvBlocks(model.kvCache().blockSize());
        if (pool.capacity() < needed) {
            throw new IllegalArgumentException("the model's KV cache has " + pool.capacity() + " blocks, the benchmark needs "
                    + needed);
        }
    }

    /** Prefill and batch-1 decode figures. */
    public record SingleSequence(Rate prefill, Rate decode) {
    }

    /**
     * One timed run of prefill followed by batch-1 decode.
     *
     * @param prefillPerSecond prompt tokens per second of the prefill forward
     * @param decodePerSecond  decoded tokens per second, first token to last
     * @param loadAverage      the system's one-minute load average right after the run
     */
    public record SingleRun(double prefillPerSecond, double decodePerSecond, double loadAverage) {
    }

    /** One warm-up run, then {@code repeat} timed runs of prefill followed by decode. */
    public SingleSequence runSingleSequence() {
        int runs = settings.repeat();
        double[] prefill = new double[runs];
        double[] decode = new double[runs];
        double[] loads = new double[runs];
        timeSingleRun();
        for (int r = 0; r < runs; r++) {
            SingleRun run = timeSingleRun();
            prefill[r] = run.prefillPerSecond();
            decode[r] = run.decodePerSecond();
            loads[r] = run.loadAverage();
        }
        return new SingleSequence(Rate.of(settings.promptTokens(), prefill, loads),
                Rate.of(settings.genTokens(), decode, loads));
    }

    /**
     * Times one run of prefill followed by decode, with nothing run before it: the caller warms up (a first run
     * compiles the kernels and sizes the buffers) and decides how runs interleave with other models'.
     */
    public SingleRun timeSingleRun() {
        try (SteppedRun run = startSteppedRun()) {
            for (int i = 0; i < settings.genTokens(); i++) {
                run.step();
            }
            return new SingleRun(run.prefillPerSecond(), run.decodePerSecond(), loadAverage());
        }
    }

    /**
     * Prefills the prompt in one forward and returns the run, ready to decode one token per {@link SteppedRun#step}:
     * several models can then decode in lockstep, step by step in turn, so that a noisy machine slows them alike
     * instead of whichever happened to run during a busy second. The caller closes the run.
     */
    public SteppedRun startSteppedRun() {
        return new SteppedRun();
    }

    /**
     * A batch-1 run decoded one step at a time ({@link #startSteppedRun}); holds its block table until closed.
     * Not thread-safe, and one run per benchmark at a time: it shares the benchmark's batch.
     */
    public final class SteppedRun implements AutoCloseable {
        private final BlockTable table = model.kvCache().newTable();
        private final long prefillNanos;
        private long decodeNanos;
        private int steps;
        private int next;

        private SteppedRun() {
            int p = settings.promptTokens();
            try {
                table.ensureCapacity(p + settings.genTokens(), pool);
                batch.clear();
                batch.add(table, 0, prompt(0, p), 0, p, false);
                long start = System.nanoTime();
                next = model.forward(batch).argmax(0);
                prefillNanos = System.nanoTime() - start;
            } catch (RuntimeException e) {
                table.release(pool);
                throw e;
            }
        }

        /**
         * Decodes the next token, timed.
         *
         * @throws IllegalStateException past {@code genTokens} steps
         */
        public void step() {
            if (steps == settings.genTokens()) {
                throw new IllegalStateException("the run has decoded all its " + steps + " tokens");
            }
            oneToken[0] = next;
            batch.clear();
            batch.add(table, settings.promptTokens() + steps, oneToken, 0, 1, false);
            long start = System.nanoTime();
            next = model.forward(batch).argmax(0);
            decodeNanos += System.nanoTime() - start;
            steps++;
        }

        /** Prompt tokens per second of the prefill forward. */
        public double prefillPerSecond() {
            return settings.promptTokens() * 1e9 / prefillNanos;
        }

        /** Decoded tokens per second over the steps so far, their forwards only. */
        public double decodePerSecond() {
            return steps * 1e9 / decodeNanos;
        }

        /** The system's one-minute load average now. */
        public double loadAverage() {
            return ModelBenchmark.this.loadAverage();
        }

        @Override
        public void close() {
            table.release(pool);
        }
    }

    /** Decodes at each configured batch size. */
    public List<BatchRun> runBatched() {
        List<BatchRun> out = new ArrayList<>();
        for (int b : settings.batchSizes()) {
            out.add(runBatched(b));
        }
        return out;
    }

    /**
     * {@code batchRepeat} timed runs at {@code sequences} concurrent sequences. No warm-up run of its own: the
     * kernels were compiled by {@link #runSingleSequence}'s warm-up and are the same at every batch size, and each
     * run's untimed first step sizes the buffers (a whole warm-up run would double the prefill of every prompt).
     */
    public BatchRun runBatched(int sequences) {
        int runs = settings.batchRepeat();
        double[] prefill = new double[runs];
        double[] decode = new double[runs];
        double[] loads = new double[runs];
        long[] nanos = new long[2];
        for (int r = 0; r < runs; r++) {
            batchedRun(sequences, nanos);
            prefill[r] = (double) sequences * settings.batchPromptTokens() * 1e9 / nanos[0];
            decode[r] = (double) sequences * settings.batchSteps() * 1e9 / nanos[1];
            loads[r] = loadAverage();
        }
        return new BatchRun(sequences, Rate.of(sequences * settings.batchPromptTokens(), prefill, loads),
                Rate.of(sequences * settings.batchSteps(), decode, loads));
    }

    /**
     * Prefills {@code sequences} prompts in one forward, takes one untimed step (it sizes the buffers for this
     * many logit rows), then times {@code batchSteps} steps.
     */
    private void batchedRun(int sequences, long[] nanos) {
        int p = settings.batchPromptTokens();
        int steps = settings.batchSteps();
        BlockTable[] tables = new BlockTable[sequences];
        int[] next = new int[sequences];
        try {
            batch.clear();
            for (int s = 0; s < sequences; s++) {
                tables[s] = model.kvCache().newTable();
                tables[s].ensureCapacity(p + steps + 1, pool);
                batch.add(tables[s], 0, prompt(s, p), 0, p, false);
            }
            long start = System.nanoTime();
            pickAll(model.forward(batch), next);
            nanos[0] = System.nanoTime() - start;
            step(tables, next, p);
            start = System.nanoTime();
            for (int i = 1; i <= steps; i++) {
                step(tables, next, p + i);
            }
            nanos[1] = System.nanoTime() - start;
        } finally {
            for (BlockTable t : tables) {
                if (t != null) {
                    t.release(pool);
                }
            }
        }
    }

    /** One forward decoding token {@code next[s]} at {@code position} for every sequence; replaces {@code next}. */
    private void step(BlockTable[] tables, int[] next, int position) {
        batch.clear();
        for (int s = 0; s < tables.length; s++) {
            batch.add(tables[s], position, next, s, 1, false);
        }
        pickAll(model.forward(batch), next);
    }

    private static void pickAll(Logits logits, int[] next) {
        for (int s = 0; s < next.length; s++) {
            next[s] = logits.argmax(logits.firstRow(s));
        }
    }

    /** Fixed pseudo-random ids that avoid the usual special tokens 0..2, different for each sequence. */
    private int[] prompt(int sequence, int length) {
        int vocab = model.config().vocabSize();
        int[] ids = new int[length];
        for (int i = 0; i < length; i++) {
            ids[i] = 3 + (int) ((sequence * 7919L + i * 131L + 17) % (vocab - 3));
        }
        return ids;
    }

    private double loadAverage() {
        return os.getSystemLoadAverage();
    }
}
