package dev.infer4j.cli;

import dev.infer4j.bench.spec.SpecBenchReport;
import dev.infer4j.bench.spec.SpecBenchRunner;
import dev.infer4j.bench.spec.SpecBenchSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code infer4j bench spec}: speculative decoding's acceptance rate, cost ratio and speedup against theory. */
@Command(name = "spec", mixinStandardHelpOptions = true,
        description = "Benchmark speculative decoding at batch 1: greedy generation without and with a draft model "
                + "and/or n-gram lookup on the same prompt; reports decode tokens/s, the acceptance rate alpha, the "
                + "draft/target forward cost ratio c, and the measured speedup beside (1-a^(K+1))/((1-a)(1+K*c)).")
final class BenchSpecCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "target GGUF model file")
    Path model;

    @Option(names = {"-d", "--draft"}, description = "draft GGUF model file (same vocabulary)")
    Path draft;

    @Option(names = "--spec", description = "also run n-gram prompt lookup: ngram")
    String spec;

    @Option(names = "--draft-max", defaultValue = "4", description = "K, most proposals per step (default: ${DEFAULT-VALUE})")
    int draftMax;

    @Option(names = "--prompt-tokens", defaultValue = "32", description = "prompt length: a built-in story passage repeated and cut to this; longer than the passage (the table says how long) makes a repetitive workload (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", description = "tokens generated per run (default: ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "compute threads; 0 for every core (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--repeat", defaultValue = "3", description = "timed rounds, each generating once with every configuration in turn; medians reported (default: ${DEFAULT-VALUE})")
    int repeat;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws IOException {
        boolean ngram = spec != null;
        if (ngram && !spec.equals("ngram")) {
            throw new IllegalArgumentException("--spec takes only 'ngram', got '" + spec + "'");
        }
        if (draft == null && !ngram) {
            throw new IllegalArgumentException("give --draft FILE, --spec ngram, or both");
        }
        int threadCount = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        SpecBenchSettings settings = new SpecBenchSettings(promptTokens, genTokens, draftMax,
                threadCount, repeat);
        SpecBenchReport report = SpecBenchRunner.run(model, draft, ngram, settings, commandSpec.commandLine().getErr());
        commandSpec.commandLine().getOut().print(report.toTable());
        return 0;
    }
}
