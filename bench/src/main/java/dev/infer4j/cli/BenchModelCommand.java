package dev.infer4j.cli;

import dev.infer4j.bench.model.BenchSettings;
import dev.infer4j.bench.model.ModelBenchReport;
import dev.infer4j.bench.model.ModelBenchRunner;
import dev.infer4j.bench.model.PeerFigures;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code infer4j bench model}: prefill, decode and batched-decode speed of one model against the bandwidth roofline. */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Benchmark a GGUF model in this process: memory-bandwidth probe, prefill and batch-1 decode "
                + "tokens/s (median of --repeat runs after a warm-up), weight bytes per token and the share of the "
                + "probe's bandwidth decode reaches, and aggregate decode tokens/s at several batch sizes.")
final class BenchModelCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "a GGUF file or a Hugging Face model directory (safetensors, GPTQ, AWQ)")
    Path model;

    @Mixin
    RunLengthOptions run;

    @Option(names = "--repeat", defaultValue = "3", description = "timed runs, median reported (default: ${DEFAULT-VALUE})")
    int repeat;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,4,8,16",
            description = "concurrent sequences for batched decode; 0 to skip (default: ${DEFAULT-VALUE})")
    List<Integer> batchSizes;

    @Option(names = "--batch-prompt-tokens", defaultValue = "128", description = "prompt of each batched sequence (default: ${DEFAULT-VALUE})")
    int batchPromptTokens;

    @Option(names = "--batch-steps", defaultValue = "64", description = "timed decode steps per batch size (default: ${DEFAULT-VALUE})")
    int batchSteps;

    @Option(names = "--batch-repeat", defaultValue = "1", description = "timed runs per batch size (default: ${DEFAULT-VALUE})")
    int batchRepeat;

    @Option(names = "--probe-mib", defaultValue = "1024", description = "bandwidth probe buffer; 0 to skip the probe (default: ${DEFAULT-VALUE})")
    long probeMib;

    @Option(names = "--peer-name", defaultValue = "llama.cpp", description = "name of the figures below (default: ${DEFAULT-VALUE})")
    String peerName;

    @Option(names = "--peer-prefill", defaultValue = "0", description = "the peer's prefill tokens/s, for ratios")
    double peerPrefill;

    @Option(names = "--peer-decode", defaultValue = "0", description = "the peer's decode tokens/s, for ratios")
    double peerDecode;

    @Option(names = "--peer-batched", split = ",", description = "the peer's aggregate decode tokens/s, one per --batch-sizes entry")
    List<Double> peerBatched = new ArrayList<>();

    @Option(names = "--json", description = "also write the report as JSON to this file")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        List<Integer> sizes = batchSizes.stream().filter(b -> b != 0).toList();
        if (!peerBatched.isEmpty() && peerBatched.size() != sizes.size()) {
            throw new IllegalArgumentException("--peer-batched has " + peerBatched.size() + " figures for "
                    + sizes.size() + " batch sizes " + sizes);
        }
        Map<Integer, Double> peerByBatch = new HashMap<>();
        for (int i = 0; i < peerBatched.size(); i++) {
            peerByBatch.put(sizes.get(i), peerBatched.get(i));
        }
        BenchSettings settings = new BenchSettings(run.promptTokens, run.genTokens, run.threadCount(), repeat, sizes,
                batchPromptTokens, batchSteps, batchRepeat, probeMib << 20);
        boolean anyPeer = peerPrefill > 0 || peerDecode > 0 || !peerByBatch.isEmpty();
        PeerFigures peer = anyPeer ? new PeerFigures(peerName, peerPrefill, peerDecode, peerByBatch) : PeerFigures.none();
        ModelBenchReport report = ModelBenchRunner.run(model, settings, peer, spec.commandLine().getErr());
        spec.commandLine().getOut().print(report.toTable());
        if (json != null) {
            Files.writeString(json, report.toJson());
        }
        return 0;
    }
}
