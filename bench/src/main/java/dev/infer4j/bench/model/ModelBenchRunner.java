package dev.infer4j.bench.model;

import dev.infer4j.bench.roofline.BandwidthProbe;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCache;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Model;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the whole benchmark in one process: the bandwidth probe first (before the model's pages compete for the
 * caches), then loading the model, prefill and decode at batch 1, then batched decode.
 */
public final class ModelBenchRunner {
    private static final int PROBE_WARMUP_PASSES = 3;
    private static final int PROBE_PASSES = 11;

    private ModelBenchRunner() {
    }

    /**
     * Benchmarks the model in {@code path}.
     *
     * @param progress where to say what is running (the runs take minutes on a large model)
     * @throws IOException if the file cannot be read
     * @throws dev.infer4j.formats.ModelFormatException if the model cannot be loaded
     */
    public static ModelBenchReport run(Path path, BenchSettings settings, PeerFigures peer, PrintWriter progress)
            throws IOException {
        try (Kernels kernels = Kernels.load(settings.threads());
             LoadedModel loaded = LoadedModel.open(path, kernels,
                     KvCacheSpec.ofBlocks(settings.kvBlocks(KvCache.DEFAULT_BLOCK_SIZE)))) {
            Model model = loaded.model();
            ModelBenchmark bench = new ModelBenchmark(model, settings);
            progress.printf("prefill %d + decode %d tokens, %d runs after a warm-up...%n", settings.promptTokens(),
                    settings.genTokens(), settings.repeat());
            ModelBenchmark.SingleSequence single = bench.runSingleSequence();
            List<BatchRun> batched = new ArrayList<>();
            for (int b : settings.batchSizes()) {
                progress.printf("batched decode, %d sequences...%n", b);
                batched.add(bench.runBatched(b));
            }
            // The probe runs last. Run first, it slowed the model: TinyLlama Q4_0 decode measured 7.5 tok/s in
            // each of three processes against 11.5-12.5 with the probe after it. The likely cause (inferred, not
            // proven) is the JIT profile of the JDK's shared segment-access code, which the probe's malloc'd
            // segment mixes with the mapped weights' segment type.
            double probe = 0;
            double probeLoad = 0;
            if (settings.probeBytes() > 0) {
                progress.printf("probing read bandwidth (%d MiB, %d threads)...%n", settings.probeBytes() >> 20,
                        settings.threads());
                probe = new BandwidthProbe(settings.probeBytes(), settings.threads())
                        .measureGBps(PROBE_WARMUP_PASSES, PROBE_PASSES);
                probeLoad = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            }
            return new ModelBenchReport(path.toString(), loaded.weightTypes(), backend(kernels), settings.threads(),
                    WeightTraffic.of(model.weights(), model.config()), probe, probeLoad, single.prefill(),
                    single.decode(), batched, peer);
        }
    }

    /** The kernels' name for a report; the CPU kernels' speed depends on which of their two vector widths runs. */
    static String backend(Kernels kernels) {
        return kernels.name().equals("cpu") ? "cpu, " + VectorWidth.detected().bits() + "-bit vectors" : kernels.name();
    }
}
