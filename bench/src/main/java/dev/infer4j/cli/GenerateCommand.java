package dev.infer4j.cli;

import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.runtime.engine.Engine;
import dev.infer4j.runtime.engine.EngineConfig;
import dev.infer4j.runtime.engine.GenerationEvent;
import dev.infer4j.runtime.engine.GenerationRequest;
import dev.infer4j.runtime.engine.GenerationStream;
import dev.infer4j.runtime.engine.Prompt;
import dev.infer4j.runtime.engine.RequestRejectedException;
import dev.infer4j.runtime.engine.SpeculationCounts;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.spec.Speculation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code infer4j generate}: one prompt, streamed to the terminal, with llama.cpp-style timings at the end. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue one prompt, streaming the text, then print timings (prompt and generation tokens/s).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "a .gguf model")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "the prompt")
    String prompt;

    @Option(names = {"-n", "--n-predict"}, defaultValue = "-1", description = "tokens to generate, -1 until end of text or context (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temp", defaultValue = "0.8", description = "temperature, 0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", defaultValue = "40", description = "(default: ${DEFAULT-VALUE}, 0 = off)")
    int topK;

    @Option(names = "--top-p", defaultValue = "0.95", description = "(default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", defaultValue = "0.05", description = "(default: ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--typical", defaultValue = "1.0", description = "typical-p (default: ${DEFAULT-VALUE} = off)")
    float typicalP;

    @Option(names = "--repeat-penalty", defaultValue = "1.0", description = "(default: ${DEFAULT-VALUE} = off)")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", defaultValue = "64", description = "(default: ${DEFAULT-VALUE})")
    int repeatLastN;

    @Option(names = "--seed", description = "random seed (default: random)")
    Long seed;

    @Option(names = "--stop", description = "stop string (repeatable)")
    List<String> stops = List.of();

    @Option(names = {"-c", "--ctx"}, defaultValue = "0", description = "context length, 0 = the model's (at most 4096)")
    int context;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "compute threads, 0 = all cores")
    int threads;

    @Option(names = "--ignore-eos", description = "keep generating past end-of-text tokens")
    boolean ignoreEos;

    @Option(names = "--no-warmup", description = "skip the short warm-up run before the prompt (it compiles the "
            + "kernels, so the timings show the model's speed rather than the JIT's)")
    boolean noWarmup;

    @Mixin
    SpeculationOptions speculationOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SamplingParams.Builder sampling = SamplingParams.builder().temperature(temperature).topK(topK).topP(topP)
                .minP(minP).typicalP(typicalP).repeatPenalty(repeatPenalty).repeatLastN(repeatLastN)
                .maxTokens(maxTokens).stop(stops).ignoreEos(ignoreEos);
        if (seed != null) {
            sampling.seed(seed);
        }
        long loadStart = System.nanoTime();
        Speculation speculation = speculationOptions.speculation();
        EngineConfig config = new EngineConfig(context, 1, 512, 0, 0, threads).withWarmUp(!noWarmup);
        try (Engine engine = speculation == null ? Engine.open(model, config) : Engine.open(model, config, speculation)) {
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            out.print(prompt);
            out.flush();
            long start = System.nanoTime();
            long firstToken = -1;
            int generated = 0;
            GenerationEvent.Finished finished = null;
            try (GenerationStream stream = engine.stream(GenerationRequest.of(Prompt.text(prompt), sampling.build()))) {
                for (GenerationEvent e; (e = stream.next()) != null; ) {
                    switch (e) {
                        case GenerationEvent.PromptLogprobs p -> {
                            // not requested by this command
                        }
                        case GenerationEvent.Token t -> {
                            if (firstToken < 0) {
                                firstToken = System.nanoTime();
                            }
                            generated++;
                            out.print(t.text());
                            out.flush();
                        }
                        case GenerationEvent.Finished f -> {
                            out.print(f.text());
                            finished = f;
                        }
                        case GenerationEvent.Failed f -> {
                            err.println();
                            err.println("infer4j generate: " + f.message());
                            return 1;
                        }
                    }
                }
            } catch (RequestRejectedException rejected) {
                throw new IllegalArgumentException(rejected.getMessage(), rejected);
            }
            long end = System.nanoTime();
            out.println();
            int promptTokens = finished.usage().promptTokens();
            double ttftMs = firstToken < 0 ? 0 : (firstToken - start) / 1e6;
            double genMs = firstToken < 0 ? 0 : (end - firstToken) / 1e6;
            err.printf("%nload time        = %10.2f ms (cpu kernels: %d-bit vectors)%n", loadMs,
                    VectorWidth.detected().bits());
            err.printf("prompt eval time = %10.2f ms / %5d tokens (%8.2f tokens per second)  [time to first token]%n",
                    ttftMs, promptTokens, promptTokens / Math.max(ttftMs, 1e-9) * 1000);
            err.printf("eval time        = %10.2f ms / %5d runs   (%8.2f tokens per second)%n", genMs,
                    Math.max(0, generated - 1), Math.max(0, generated - 1) / Math.max(genMs, 1e-9) * 1000);
            err.printf("total time       = %10.2f ms / %5d tokens, finished: %s%n", (end - start) / 1e6,
                    promptTokens + generated, finished.reason().name().toLowerCase());
            if (speculation != null) {
                SpeculationCounts c = finished.usage().speculation();
                err.printf("speculation      = %d drafted, %d accepted (acceptance %.3f), %.2f tokens per target step%n",
                        c.draftedTokens(), c.acceptedTokens(), c.acceptanceRate(), c.tokensPerStep());
            }
            err.flush();
        }
        return 0;
    }
}
