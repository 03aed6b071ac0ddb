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
 * Runs the speculative-decoding benchmark in one process: the baseline engine and one engine per speculation
 * method, open side by side, each generating greedily from the same prompt once per round ({@code repeat} rounds
 * after a warm-up), then the bare forward times of the target (1 and K+1 tokens) and the draft (1 token) for c and
 * v.
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
        int k = settings.draftMax();
        int[] prompt;
        int passageTokens;
        Measured[] measured;
        List<SpecMethod> methods = new ArrayList<>();
        try (Engine plain = Engine.open(target, config);
             Engine drafted = draft == null ? null
                     : Engine.open(target, config, new Speculation.DraftFile(draft, k, 0f));
             Engine lookup = ngram ? Engine.open(target, config, Speculation.Ngram.of(k)) : null) {
            passageTokens = plain.tokenizer().encode(PASSAGE, false, false).length;
            prompt = promptIds(plain, settings);
            List<Engine> engines = new ArrayList<>();
            engines.add(plain);
            methods.add(SpecMethod.NONE);
            if (drafted != null) {
                engines.add(drafted);
                methods.add(SpecMethod.DRAFT);
            }
            if (lookup != null) {
                engines.add(lookup);
                methods.add(SpecMethod.NGRAM);
            }
            progress.printf("%s: %d prompt + %d generated tokens, %d rounds after a warm-up, K=%d...%n",
                    methods, prompt.length, settings.genTokens(), settings.repeat(), k);
            measured = measureInRounds(engines, prompt, settings);
        }
        progress.println("timing bare forwards of the target (1 and K+1 tokens) and the draft (1 token)...");
        double[] t = ForwardTimer.medianSeconds(target, settings.threads(), prompt, new int[] {1, k + 1},
                settings.genTokens());
        double c = 0;
        if (draft != null) {
            c = ForwardTimer.medianSeconds(draft, settings.threads(), prompt, new int[] {1}, settings.genTokens())[0]
                    / t[0];
        }
        List<SpecRow> rows = new ArrayList<>();
        for (int m = 0; m < methods.size(); m++) {
            SpecMethod method = methods.get(m);
            Measured r = measured[m];
            rows.add(method == SpecMethod.NONE
                    ? new SpecRow(method, 0, r.tps, 0, 1, 0, 1, 1)
                    : new SpecRow(method, k, r.tps, r.counts.acceptanceRate(), r.counts.tokensPerStep(),
                            method == SpecMethod.DRAFT ? c : 0, t[1] / t[0], r.speedup));
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

    /**
     * @param tps     median decode tokens/s over the rounds
     * @param speedup median over the rounds of tokens/s over the baseline's in the same round
     * @param counts  speculation counts summed over the timed runs
     */
    private record Measured(double tps, double speedup, SpeculationCounts counts) {
    }

    /**
     * Warms every engine up, then times one greedy generation per engine per round, the first engine (the
     * baseline) included, starting each round with the next engine so none always runs first. Each round's
     * ratios to the baseline's rate come from the same minutes of a machine whose speed drifts (measured: the
     * baseline alone moved from 5.8 to 7.3 tok/s between two runs of the same command).
     */
    private static Measured[] measureInRounds(List<Engine> engines, int[] prompt, SpecBenchSettings settings) {
        SamplingParams greedy = SamplingParams.builder().temperature(0f).maxTokens(settings.genTokens())
                .ignoreEos(true).build();
        GenerationRequest request = GenerationRequest.of(new Prompt.Tokens(prompt), greedy);
        for (Engine engine : engines) {
            warmUp(engine, request);
        }
        int n = engines.size();
        int rounds = settings.repeat();
        double[][] tps = new double[n][rounds];
        long[][] counts = new long[n][4];
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < n; i++) {
                int e = (i + r) % n;
                Generation g = generate(engines.get(e), request);
                tps[e][r] = g.decodeTps();
                counts[e][0] += g.counts.draftedTokens();
                counts[e][1] += g.counts.acceptedTokens();
                counts[e][2] += g.counts.decodeSteps();
                counts[e][3] += g.counts.decodeTokens();
            }
        }
        Measured[] result = new Measured[n];
        for (int e = 0; e < n; e++) {
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratios[r] = tps[e][r] / tps[0][r];
            }
            result[e] = new Measured(median(tps[e]), median(ratios),
                    new SpeculationCounts(counts[e][0], counts[e][1], counts[e][2], counts[e][3]));
        }
        return result;
    }

    /** The middle value (the lower of the two middle ones for an even count). */
    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(sorted.length - 1) / 2];
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
