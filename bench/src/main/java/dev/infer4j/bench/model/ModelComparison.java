package dev.infer4j.bench.model;

import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCache;
import dev.infer4j.runtime.kv.KvCacheSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Times several models against each other in one process: all of them loaded side by side on one set of kernels,
 * one warm-up run each, then rounds in which every model prefills once and then all of them decode in lockstep,
 * one token each in turn. The order rotates from round to round and from step to step, so no model always runs
 * first (right after a pause) or right after the same neighbour, and a burst of load from another process slows
 * every model's decode alike. Run one after the other on a shared 2-core machine, one model's 64-token decodes
 * ranged over 1.5x across nine rounds and the per-round ratio of two models over 0.82–1.29, wider than the 5%
 * difference being measured; in lockstep the same ratio ranged over 0.90–0.95.
 */
public final class ModelComparison {
    private ModelComparison() {
    }

    /**
     * Loads and times {@code paths}, {@code settings.repeat()} rounds.
     *
     * @param paths    GGUF files or Hugging Face directories; the first is the baseline of the ratios
     * @param settings prompt and decode lengths, threads and rounds ({@code repeat}); batch sizes and the probe are
     *                 not used
     * @param progress where to say what is running
     * @throws IllegalArgumentException if fewer than two models are given
     * @throws IOException if a model cannot be read
     * @throws dev.infer4j.formats.ModelFormatException if a model cannot be loaded
     */
    public static ModelComparisonReport run(List<Path> paths, BenchSettings settings, PrintWriter progress)
            throws IOException {
        if (paths.size() < 2) {
            throw new IllegalArgumentException("compare needs at least two models, got " + paths.size());
        }
        int n = paths.size();
        int rounds = settings.repeat();
        List<LoadedModel> loaded = new ArrayList<>(n);
        try (Kernels kernels = Kernels.load(settings.threads())) {
            try {
                KvCacheSpec kv = KvCacheSpec.ofBlocks(settings.kvBlocks(KvCache.DEFAULT_BLOCK_SIZE));
                for (Path p : paths) {
                    progress.printf("loading %s...%n", p);
                    loaded.add(LoadedModel.open(p, kernels, kv));
                }
                List<ModelBenchmark> benches = new ArrayList<>(n);
                for (LoadedModel m : loaded) {
                    benches.add(new ModelBenchmark(m.model(), settings));
                }
                progress.printf("warming up each model, then %d rounds of prefill %d + decode %d tokens...%n",
                        rounds, settings.promptTokens(), settings.genTokens());
                for (ModelBenchmark b : benches) {
                    b.timeSingleRun();
                }
                double[][] prefill = new double[n][rounds];
                double[][] decode = new double[n][rounds];
                double[][] loads = new double[n][rounds];
                for (int r = 0; r < rounds; r++) {
                    timeRound(benches, r, settings.genTokens(), prefill, decode, loads);
                }
                List<ModelComparisonReport.Entry> entries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    entries.add(new ModelComparisonReport.Entry(paths.get(i).toString(), loaded.get(i).weightTypes(),
                            Rate.of(settings.promptTokens(), prefill[i], loads[i]),
                            Rate.of(settings.genTokens(), decode[i], loads[i])));
                }
                return new ModelComparisonReport(entries, ModelBenchRunner.backend(kernels), settings.threads(),
                        settings.promptTokens(), settings.genTokens());
            } finally {
                closeAll(loaded);
            }
        }
    }

    /**
     * Round {@code r}: each model prefills in turn, then all decode in lockstep, one token each per step, the order
     * rotating with the step, so that every model's decode spans the same stretch of time on the machine.
     */
    private static void timeRound(List<ModelBenchmark> benches, int r, int genTokens, double[][] prefill,
                                  double[][] decode, double[][] loads) {
        int n = benches.size();
        ModelBenchmark.SteppedRun[] runs = new ModelBenchmark.SteppedRun[n];
        try {
            for (int k = 0; k < n; k++) {
                int i = (r + k) % n;
                runs[i] = benches.get(i).startSteppedRun();
            }
            for (int step = 0; step < genTokens; step++) {
                for (int k = 0; k < n; k++) {
                    runs[(r + step + k) % n].step();
                }
            }
            for (int i = 0; i < n; i++) {
                prefill[i][r] = runs[i].prefillPerSecond();
                decode[i][r] = runs[i].decodePerSecond();
                loads[i][r] = runs[i].loadAverage();
            }
        } finally {
            for (ModelBenchmark.SteppedRun run : runs) {
                if (run != null) {
                    run.close();
                }
            }
        }
    }

    /** Closes every model, the first failure thrown with the later ones added to it. */
    private static void closeAll(List<LoadedModel> loaded) throws IOException {
        Exception failure = null;
        for (LoadedModel m : loaded) {
            try {
                m.close();
            } catch (IOException | RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
    }
}
