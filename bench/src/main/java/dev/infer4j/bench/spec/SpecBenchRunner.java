package dev.infer4j.bench.spec;

import dev.infer4j.runtime.engine.Engine;
import dev.infer4j.runtime.engine.EngineConfig;
import dev.infer4j.runtime.engine.GenerationEvent;
import dev.infer4j.runtime.engine.GenerationRequest;
import dev.infer4j.runtime.engine.GenerationStream;
import dev.infer4j.runtime.engine.Prompt;
import dev.infer4j.runtime.engine.SpeculationCounts;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.spec.Speculation;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs the speculative-decoding benchmark in one process: the baseline engine, then one engine per speculation
 * method, each generating greedily from the same prompt ({@code repeat} timed runs after a warm-up), then the
 * bare forward times of the target (1 and K+1 tokens) and the draft (1 token) for c and v.
 */
public final class SpecBenchRunner {
    /** A short story-like passage: real text for trained models, a fixed token sequence for random ones. */
    static final String PASSAGE = "Once upon a time, there was a little girl named Lily. She loved to play outside"
            + " in the park with her dog. One day, she saw a big red ball under a tree. She ran to the ball and"
            + " kicked it as hard as she could. ";
    private static final int CONTEXT_SLACK = 64;
    /** Least warm-up time per engine before its timed generations ({@link #warmUp}). */
    private static final long WARM_UP_NANOS = 2_000_000_000L;

    private SpecBenchRunner() {
    }

    /**
     * Benchmarks {@code target} plainly and with each requested method.
     *
     * @param draft    the draft model file, or null to skip the draft row
     * @param ngram    whether to add an n-gram prompt-lookup row
     * @param progress where to say what is running
     * @throws IOException if a file cannot be read
     */
    public static SpecBenchReport run(Path target, Path draft, boolean ngram, SpecBenchSettings settings,
                                      PrintWriter progress) throws IOException {
        int context = settings.promptTokens() + settings.genTokens() + 2 * settings.draftMax() + CONTEXT_SLACK;
        EngineConfig config = new EngineConfig(context, 1, 512, 0, 4, settings.threads());
        int[] prompt;
        int passageTokens;
        Measured baseline;
        try (Engine engine = Engine.open(target, config)) {
            passageTokens = engine.tokenizer().encode(PASSAGE, false, false).length;
            prompt = promptIds(engine, settings);
            progress.printf("baseline: %d prompt + %d generated tokens, %d runs after a warm-up...%n",
                    prompt.length, settings.genTokens(), settings.repeat());
            baseline = measure(engine, prompt, settings);
        }
        List<SpecRow> rows = new ArrayList<>();
        rows.add(new SpecRow(SpecMethod.NONE, 0, baseline.tps, 0, 1, 0, 1, baseline.tps));
        if (draft != null) {
            progress.printf("draft %s, K=%d...%n", draft, settings.draftMax());
            Measured m;
            try (Engine engine = Engine.open(target, config,
                    new Speculation.DraftFile(draft, settings.draftMax(), 0f))) {
                m = measure(engine, prompt, settings);
            }
            progress.println("timing bare forwards of the target (1 and K+1 tokens) and the draft (1 token)...");
            int k = settings.draftMax();
            double[] t = ForwardTimer.medianSeconds(target, settings.threads(), prompt, new int[] {1, k + 1},
                    settings.genTokens());
            double[] d = ForwardTimer.medianSeconds(draft, settings.threads(), prompt, new int[] {1},
                    settings.genTokens());
            rows.add(new SpecRow(SpecMethod.DRAFT, k, m.tps, m.counts.acceptanceRate(), m.counts.tokensPerStep(),
                    d[0] / t[0], t[1] / t[0], baseline.tps));
        }
        if (ngram) {
            progress.printf("n-gram lookup, K=%d...%n", settings.draftMax());
            int k = settings.draftMax();
            double[] t = ForwardTimer.medianSeconds(target, settings.threads(), prompt, new int[] {1, k + 1},
                    settings.genTokens());
            Measured m;
            try (Engine engine = Engine.open(target, config, Speculation.Ngram.of(settings.draftMax()))) {
                m = measure(engine, prompt, settings);
            }
            rows.add(new SpecRow(SpecMethod.NGRAM, settings.draftMax(), m.tps, m.counts.acceptanceRate(),
                    m.counts.tokensPerStep(), 0, t[1] / t[0], baseline.tps));
        }
        return new SpecBenchReport(target.toString(), draft == null ? null : draft.toString(), prompt.length,
                passageTokens, settings.genTokens(), settings.threads(), rows);
    }

    /** BOS (if the vocabulary adds one) and the passage, repeated, cut to the prompt length. */
    static int[] promptIds(Engine engine, SpecBenchSettings settings) {
        String text = PASSAGE;
        int[] ids = engine.tokenizer().encode(text, true, false);
        while (ids.length < settings.promptTokens()) {
            text = text + PASSAGE;
            ids = engine.tokenizer().encode(text, true, false);
        }
        return Arrays.copyOf(ids, settings.promptTokens());
    }

    private record Measured(double tps, SpeculationCounts counts) {
    }

    private static Measured measure(Engine engine, int[] prompt, SpecBenchSettings settings) {
        SamplingParams greedy = SamplingParams.builder().temperature(0f).maxTokens(settings.genTokens())
                .ignoreEos(true).build();
        GenerationRequest request = GenerationRequest.of(new Prompt.Tokens(prompt), greedy);
        warmUp(engine, request);
        double[] tps = new double[settings.repeat()];
        long drafted = 0;
        long accepted = 0;
        long steps = 0;
        long tokens = 0;
        for (int r = 0; r < tps.length; r++) {
            Generation g = generate(engine, request);
            tps[r] = g.decodeTps();
            drafted += g.counts.draftedTokens();
            accepted += g.counts.acceptedTokens();
            steps += g.counts.decodeSteps();
            tokens += g.counts.decodeTokens();
        }
        Arrays.sort(tps);
        return new Measured(tps[(tps.length - 1) / 2], new SpeculationCounts(drafted, accepted, steps, tokens));
    }

    /**
     * Generates until the JIT has had two seconds and two generations: one generation of a model of
     * a few hundred thousand weights lasts tens of milliseconds, and the engine timed first would otherwise run
     * on less compiled code than those after it (an n-gram run of a 656K model measured 3.2x "faster" than its
     * baseline while accepting one proposal in seven).
     */
    private static void warmUp(Engine engine, GenerationRequest request) {
        long start = System.nanoTime();
        for (int runs = 0; runs < 2 || System.nanoTime() - start < WARM_UP_NANOS; runs++) {
            generate(engine, request);
        }
    }

    /** One generation's decode timing: from the first token (the end of prefill) to the last. */
    private record Generation(int tokens, long firstNanos, long lastNanos, SpeculationCounts counts) {
        double decodeTps() {
            return (tokens - 1) * 1e9 / (lastNanos - firstNanos);
        }
    }

    private static Generation generate(Engine engine, GenerationRequest request) {
        try (GenerationStream stream = engine.stream(request)) {
            int tokens = 0;
            long first = 0;
            long last = 0;
            for (GenerationEvent e = stream.next(); e != null; e = stream.next()) {
                switch (e) {
                    case GenerationEvent.PromptLogprobs unasked -> {
                        // this benchmark does not ask for prompt scores
                    }
                    case GenerationEvent.Token t -> {
                        last = System.nanoTime();
                        if (tokens++ == 0) {
                            first = last;
                        }
                    }
                    case GenerationEvent.Finished f -> {
                        if (tokens < 2) {
                            throw new IllegalStateException("generation stopped after " + tokens + " tokens ("
                                    + f.reason() + "); the benchmark needs at least 2");
                        }
                        return new Generation(tokens, first, last, f.usage().speculation());
                    }
                    case GenerationEvent.Failed f -> throw new IllegalStateException("generation failed: "
                            + f.message());
                }
            }
            throw new IllegalStateException("generation ended without a final event");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating", e);
        }
    }
}
