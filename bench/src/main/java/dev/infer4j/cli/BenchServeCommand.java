package dev.infer4j.cli;

import dev.infer4j.bench.serve.BenchmarkReport;
import dev.infer4j.bench.serve.LoadConfig;
import dev.infer4j.bench.serve.LoadGenerator;
import dev.infer4j.bench.serve.ServedModels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code infer4j bench serve}: load-tests any OpenAI-compatible endpoint. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Load-test an OpenAI-compatible endpoint (infer4j, llama.cpp server, vLLM): throughput, "
                + "TTFT / TPOT / ITL / end-to-end percentiles, goodput.")
final class BenchServeCommand implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080/v1", description = "API root (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--model", description = "model name to send (default: the first one the endpoint's /models lists)")
    String model;

    @Option(names = "--api-key", description = "bearer token")
    String apiKey;

    @Option(names = "--completions", description = "use /completions instead of /chat/completions")
    boolean completions;

    @Option(names = {"-n", "--num-prompts"}, defaultValue = "32", description = "requests in all (default: ${DEFAULT-VALUE})")
    int numPrompts;

    @Option(names = {"-c", "--concurrency"}, defaultValue = "1", description = "requests in flight at most (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--rate", defaultValue = "0", description = "Poisson arrival rate in requests/s; 0 sends back to back")
    double rate;

    @Option(names = "--prompt-tokens", defaultValue = "128", description = "synthetic prompt length (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--prompt-jitter", defaultValue = "0", description = "± uniform variation of prompt length")
    int promptJitter;

    @Option(names = "--output-tokens", defaultValue = "64", description = "max_tokens per request, EOS ignored (default: ${DEFAULT-VALUE})")
    int outputTokens;

    @Option(names = "--shared-prefix-tokens", defaultValue = "0",
            description = "the first ~N of the --prompt-tokens are the same text in every prompt (a shared system prompt)")
    int sharedPrefixTokens;

    @Option(names = "--prompts", description = "JSONL file of {\"prompt\": ...} lines instead of synthetic prompts")
    Path prompts;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--slo-ttft-ms", defaultValue = "1000", description = "goodput: TTFT objective (default: ${DEFAULT-VALUE})")
    long sloTtftMs;

    @Option(names = "--slo-tpot-ms", defaultValue = "100", description = "goodput: TPOT objective (default: ${DEFAULT-VALUE})")
    long sloTpotMs;

    @Option(names = "--timeout-s", defaultValue = "600", description = "per-request timeout")
    long timeoutSeconds;

    @Option(names = "--json", description = "also write the report as JSON to this file")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        String modelName = model != null ? model : ServedModels.firstId(url, apiKey);
        LoadConfig config = new LoadConfig(url, modelName, apiKey, !completions, numPrompts, concurrency, rate,
                promptTokens, promptJitter, outputTokens, sharedPrefixTokens, prompts, seed, Duration.ofMillis(sloTtftMs),
                Duration.ofMillis(sloTpotMs), Duration.ofSeconds(timeoutSeconds));
        BenchmarkReport report = new LoadGenerator(config).run();
        spec.commandLine().getOut().print(report.toTable());
        if (json != null) {
            Files.writeString(json, report.toJson());
        }
        return report.failed() == 0 ? 0 : 2;
    }
}
