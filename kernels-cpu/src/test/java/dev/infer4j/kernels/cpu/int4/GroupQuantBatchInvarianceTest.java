package dev.infer4j.kernels.cpu.int4;

import static org.junit.jupiter.api.Assertions.fail;

import dev.infer4j.formats.int4.AwqPacker;
import dev.infer4j.formats.int4.GptqPacker;
import dev.infer4j.formats.int4.PackedMatrix;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DESIGN principle 6 for the GPTQ/AWQ kernel: a token's outputs are bit-identical whether it is multiplied alone
 * or inside a batch, whatever the thread count (which changes how many output blocks a task walks together, and
 * so which of the kernel's paths computes a row), and before and after the JIT compiles the kernel.
 */
class GroupQuantBatchInvarianceTest {
    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);
    private static final WorkerPool THREE_THREADS = new WorkerPool(3);
    private static final int TOKENS = 5;
    private static final int COLS = 256;
    /** Inputs of the batch-size test: a 512-input K-chunk and a second chunk of one 128-group. */
    private static final int WIDE_COLS = 640;
    /** Calls enough for C1 and then C2 to compile the kernel at this shape. */
    private static final int WARM_CALLS = 300;

    @AfterAll
    static void closePools() {
        ONE_THREAD.close();
        TWO_THREADS.close();
        THREE_THREADS.close();
    }

    /**
     * Rows enough for one thread to walk four blocks per task and three threads one, plus a scalar tail: 1 072 =
     * 16·64 + 48 for GPTQ, 16·128 + 40 for AWQ's 2 088.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GPTQ4", "GPTQ4_ACT_ORDER", "GPTQ8", "AWQ4"})
    void everyTokenMatchesItsSoloProductBitForBit(String format) {
        Random random = new Random(format.hashCode());
        int rows = format.startsWith("AWQ") ? 2088 : 1072;
        float[] w = gaussian(random, rows * COLS);
        PackedMatrix p = switch (format) {
            case "GPTQ4" -> GptqPacker.pack(w, rows, COLS, 4, 64, false, null, true);
            case "GPTQ4_ACT_ORDER" -> GptqPacker.pack(w, rows, COLS, 4, 64, false, actOrder(random), true);
            case "GPTQ8" -> GptqPacker.pack(w, rows, COLS, 8, 64, true, null, true);
            default -> AwqPacker.pack(w, rows, COLS, 64);
        };
        float[] x = gaussian(random, TOKENS * COLS);
        try (Arena arena = Arena.ofShared()) {
            GroupQuantWeight weight = GroupQuantWeight.of(p.toMatrix(format, arena));
            float[][] solo = new float[TOKENS][rows];
            GroupQuantMatmul single = new GroupQuantMatmul(ONE_THREAD);
            for (int t = 0; t < TOKENS; t++) {
                single.multiply(weight, x, t * COLS, COLS, 1, solo[t], 0, rows);
            }
            for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS, THREE_THREADS}) {
                check(new GroupQuantMatmul(pool), weight, x, rows, solo, "cold, " + pool.threads() + " threads");
            }
            GroupQuantMatmul warm = new GroupQuantMatmul(THREE_THREADS);
            for (int i = 0; i < WARM_CALLS; i++) {
                check(warm, weight, x, rows, solo, "call " + i + ", 3 threads");
            }
            for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS}) {
                check(new GroupQuantMatmul(pool), weight, x, rows, solo, "warm, " + pool.threads() + " threads");
            }
        }
    }

    /**
     * Every batch size from one to nine and seventeen: whole four-token tiles, tiles padded from two and three
     * tokens, a lone token after the tiles, and a second slab of one, over 640 inputs (two K-chunks, the second
     * of one group). Each token matches its solo product.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GPTQ4", "GPTQ8", "AWQ4"})
    void everyBatchSizeMatchesTheSoloProductsBitForBit(String format) {
        Random random = new Random(format.hashCode() + 7);
        int rows = format.startsWith("AWQ") ? 2088 : 1072;
        float[] w = gaussian(random, rows * WIDE_COLS);
        PackedMatrix p = switch (format) {
            case "GPTQ4" -> GptqPacker.pack(w, rows, WIDE_COLS, 4, 128, false, null, true);
            case "GPTQ8" -> GptqPacker.pack(w, rows, WIDE_COLS, 8, 128, true, null, true);
            default -> AwqPacker.pack(w, rows, WIDE_COLS, 128);
        };
        int most = 17;
        float[] x = gaussian(random, most * WIDE_COLS);
        try (Arena arena = Arena.ofShared()) {
            GroupQuantWeight weight = GroupQuantWeight.of(p.toMatrix(format, arena));
            float[][] solo = new float[most][rows];
            GroupQuantMatmul single = new GroupQuantMatmul(ONE_THREAD);
            for (int t = 0; t < most; t++) {
                single.multiply(weight, x, t * WIDE_COLS, WIDE_COLS, 1, solo[t], 0, rows);
            }
            for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS, THREE_THREADS}) {
                GroupQuantMatmul kernel = new GroupQuantMatmul(pool);
                for (int tokens : new int[] {2, 3, 4, 5, 6, 7, 8, 9, 17}) {
                    check(kernel, weight, x, WIDE_COLS, rows, tokens, solo, pool.threads() + " threads");
                }
            }
        }
    }

    private static void check(GroupQuantMatmul kernel, GroupQuantWeight weight, float[] x, int rows, float[][] solo,
                              String when) {
        check(kernel, weight, x, COLS, rows, TOKENS, solo, when);
    }

    private static void check(GroupQuantMatmul kernel, GroupQuantWeight weight, float[] x, int cols, int rows,
                              int tokens, float[][] solo, String when) {
        float[] out = new float[tokens * rows];
        kernel.multiply(weight, x, 0, cols, tokens, out, 0, rows);
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                float got = out[t * rows + r];
                if (Float.floatToRawIntBits(got) != Float.floatToRawIntBits(solo[t][r])) {
                    fail(weight.name() + " token " + t + " row " + r + " in a batch of " + tokens + " (" + when
                            + "): " + got + ", alone " + solo[t][r]);
                }
            }
        }
    }

    private static int[] actOrder(Random random) {
        int[] perm = new int[COLS];
        for (int i = 0; i < COLS; i++) {
            perm[i] = i;
        }
        for (int i = COLS - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] gIdx = new int[COLS];
        for (int i = 0; i < COLS; i++) {
            gIdx[perm[i]] = i / 64;
        }
        return gIdx;
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
