package dev.infer4j.cli;

import picocli.CommandLine.Option;

/** The prompt and decode lengths and the thread count of the benchmarks that time one sequence's prefill and decode. */
final class RunLengthOptions {
    @Option(names = "--prompt-tokens", defaultValue = "128", description = "prompt length for prefill (default: ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64", description = "tokens decoded at batch 1 (default: ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "compute threads; 0 for every core (default: ${DEFAULT-VALUE})")
    int threads;

    /** The threads to run: the option, or one per core for 0. */
    int threadCount() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
