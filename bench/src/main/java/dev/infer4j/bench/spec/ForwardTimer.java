package dev.infer4j.bench.spec;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.BlockPool;
import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Batch;
import dev.infer4j.runtime.model.Model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times one bare {@link Model#forward} of a single sequence after a prompt: {@code n} new tokens at the prompt's
 * end, logits for every one of them when {@code n > 1} (as a verification step needs). The same positions are
 * written again on every run, so the KV cache never grows and each run does the same work.
 */
final class ForwardTimer {
    private ForwardTimer() {
    }

    /**
     * Median seconds of one forward of each count in {@code counts}, over {@code runs} runs after one warm-up.
     *
     * @param prompt tokens prefilled first, untimed
     */
    static double[] medianSeconds(Path file, int threads, int[] prompt, int[] counts, int runs) throws IOException {
        int most = Arrays.stream(counts).max().orElseThrow();
        try (GgufFile gguf = GgufFile.open(file);
             Kernels kernels = Kernels.load(threads)) {
            Model model = Model.load(gguf, kernels, KvCacheSpec.forPositions(prompt.length + most));
            BlockPool pool = model.kvCache().pool();
            BlockTable table = model.kvCache().newTable();
            Batch batch = new Batch();
            try {
                table.ensureCapacity(prompt.length + most, pool);
                batch.add(table, 0, prompt, 0, prompt.length, false);
                model.forward(batch);
                double[] medians = new double[counts.length];
                for (int c = 0; c < counts.length; c++) {
                    int[] ids = Arrays.copyOf(prompt, counts[c]);
                    double[] seconds = new double[runs + 1];
                    for (int r = 0; r <= runs; r++) {
                        batch.clear();
                        batch.add(table, prompt.length, ids, 0, ids.length, ids.length > 1);
                        long start = System.nanoTime();
                        model.forward(batch);
                        seconds[r] = (System.nanoTime() - start) / 1e9;
                    }
                    double[] timed = Arrays.copyOfRange(seconds, 1, seconds.length);
                    Arrays.sort(timed);
                    medians[c] = timed[(timed.length - 1) / 2];
                }
                return medians;
            } finally {
                table.release(pool);
            }
        }
    }
}
