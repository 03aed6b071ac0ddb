package dev.infer4j.cli;

import dev.infer4j.bench.model.BenchSettings;
import dev.infer4j.bench.model.ModelComparison;
import dev.infer4j.bench.model.ModelComparisonReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code infer4j bench compare}: several models' prefill and decode speed, timed round by round in one process. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Benchmark several models against the first in one process: all are loaded side by side, "
                + "warmed up, then each round every model prefills once and all decode at batch 1 in lockstep, one "
                + "token each in turn, in an order that rotates. "
                + "Reports median tokens/s and each model's ratio to the first within the same round, which a "
                + "noisy machine disturbs far less than figures from separate runs.")
final class BenchCompareCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true,
            description = "a GGUF file or Hugging Face model directory; give two or more, the first is the baseline")
    List<Path> models;

    @Mixin
    RunLengthOptions run;

    @Option(names = "--rounds", defaultValue = "5", description = "timed rounds, medians reported (default: ${DEFAULT-VALUE})")
    int rounds;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (models.size() < 2) {
            throw new IllegalArgumentException("bench compare needs at least two --model options, got "
                    + models.size());
        }
        // no batched decode and no bandwidth probe: only single-sequence rounds
        BenchSettings settings = new BenchSettings(run.promptTokens, run.genTokens, run.threadCount(), rounds,
                List.of(), 1, 1, 1, 0);
        ModelComparisonReport report = ModelComparison.run(models, settings, spec.commandLine().getErr());
        spec.commandLine().getOut().print(report.toTable());
        return 0;
    }
}
