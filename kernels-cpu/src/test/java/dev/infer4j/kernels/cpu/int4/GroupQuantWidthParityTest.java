package dev.infer4j.kernels.cpu.int4;

import static org.junit.jupiter.api.Assertions.fail;

import dev.infer4j.formats.int4.AwqPacker;
import dev.infer4j.formats.int4.GptqPacker;
import dev.infer4j.formats.int4.PackedMatrix;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The 256-bit GPTQ/AWQ loops ({@link GroupQuant256}) give the 512-bit kernel's results bit for bit: every bit
 * width, symmetric and asymmetric zero points, act-order, group sizes from 20 to a whole row, AWQ's row-by-row
 * tail of a 190-input group, scalar row tails, two K-chunks, batches that reach the one-token sweep, full and
 * padded four-token tiles and a second slab, strided buffers, any thread count, and before and after C2
 * compiles the 256-bit loops. So a GPTQ or AWQ model answers the same on an AVX2 machine as on an AVX-512 one.
 */
class GroupQuantWidthParityTest {
    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);
    private static final WorkerPool THREE_THREADS = new WorkerPool(3);
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 9, 17};
    /** Calls of the 256-bit kernel per shape: enough for C1 and then C2 to compile its loops. */
    private static final int WARM_CALLS = 150;

    @AfterAll
    static void closePools() {
        ONE_THREAD.close();
        TWO_THREADS.close();
        THREE_THREADS.close();
    }

    @ParameterizedTest(name = "GPTQ {0}-bit group {1} sym={2} act-order={3}, {4}x{5}")
    @CsvSource({
            // 4-bit fast path: two K-chunks, sixteen blocks and a 48-row scalar tail
            "4, 128, true, false, 1072, 640", "4, 128, false, false, 152, 384", "4, 32, false, false, 200, 128",
            "4, -1, true, false, 80, 192", "4, 48, false, false, 64, 192",
            // 4-bit groups that are not whole packed words: the general block
            "4, 20, false, false, 136, 160",
            "4, 64, false, true, 152, 256", "4, 128, true, true, 64, 384",
            "8, 64, false, false, 152, 256", "8, 128, true, false, 1072, 640", "8, 32, true, true, 64, 128",
            "8, -1, false, false, 136, 96",
            "2, 64, false, false, 144, 256", "2, 32, true, true, 64, 128", "2, 128, false, false, 208, 640",
            "2, -1, true, false, 80, 192"})
    void gptqMatchesThe512BitKernel(int bits, int groupSize, boolean sym, boolean actOrder, int rows, int cols) {
        Random random = new Random(rows * 31L + cols + bits * 7L + groupSize);
        float[] w = gaussian(random, rows * cols);
        int[] gIdx = null;
        if (actOrder) {
            int gs = groupSize == -1 ? cols : groupSize;
            int[] perm = shuffled(random, cols);
            gIdx = new int[cols];
            for (int i = 0; i < cols; i++) {
                gIdx[perm[i]] = i / gs;
            }
        }
        check(GptqPacker.pack(w, rows, cols, bits, groupSize, sym, gIdx, true), "GPTQ" + bits, random);
    }

    @ParameterizedTest(name = "AWQ group {0}, {1}x{2}")
    // 190 inputs in one group: the four-row sweeps end two rows short, which the single-row sweep takes; 1032
    // inputs make three input chunks, the last short, where the one-token sweeps stop reading ahead; 3200 by 1560
    // makes four chunks, which one thread takes with all 3200 outputs each, past ReadAhead.MAX_OUTPUTS, where the
    // sweeps read ahead only the first lines of each row; 1557 inputs end on a group of 21, summed in row order
    // rather than AwqRowOrder's passes
    @CsvSource({"128, 2088, 640", "128, 264, 384", "64, 136, 128", "32, 256, 128", "-1, 128, 192", "-1, 128, 190",
            "-1, 264, 190", "32, 136, 1032", "128, 3200, 256", "128, 3200, 1560", "128, 3200, 1557"})
    void awqMatchesThe512BitKernel(int groupSize, int rows, int cols) {
        Random random = new Random(rows * 17L + cols + groupSize);
        check(AwqPacker.pack(gaussian(random, rows * cols), rows, cols, groupSize), "AWQ4", random);
    }

    private static void check(PackedMatrix p, String name, Random random) {
        int rows = p.rows();
        int cols = p.cols();
        int most = TOKENS[TOKENS.length - 1];
        int xStride = cols + 3;
        int outStride = rows + 5;
        float[] x = gaussian(random, 2 + most * xStride);
        try (Arena arena = Arena.ofShared()) {
            GroupQuantWeight weight = GroupQuantWeight.of(p.toMatrix(name, arena));
            // the 512-bit kernel runs in the Vector API's Java fallback on an AVX2 machine: one reference per batch
            GroupQuantMatmul wide = new GroupQuantMatmul(TWO_THREADS, VectorWidth.W512);
            float[][] expected = new float[TOKENS.length][];
            for (int k = 0; k < TOKENS.length; k++) {
                expected[k] = product(wide, weight, x, xStride, TOKENS[k], outStride);
            }
            for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS, THREE_THREADS}) {
                GroupQuantMatmul narrow = new GroupQuantMatmul(pool, VectorWidth.W256);
                for (int k = 0; k < TOKENS.length; k++) {
                    compare(weight, expected[k], product(narrow, weight, x, xStride, TOKENS[k], outStride),
                            TOKENS[k], outStride, "cold, " + pool.threads() + " threads");
                }
            }
            GroupQuantMatmul warm = new GroupQuantMatmul(TWO_THREADS, VectorWidth.W256);
            for (int call = 0; call < WARM_CALLS; call++) {
                int k = call % TOKENS.length;
                compare(weight, expected[k], product(warm, weight, x, xStride, TOKENS[k], outStride), TOKENS[k],
                        outStride, "call " + call);
            }
        }
    }

    private static float[] product(GroupQuantMatmul kernel, GroupQuantWeight weight, float[] x, int xStride,
                                   int tokens, int outStride) {
        float[] out = new float[1 + tokens * outStride];
        kernel.multiply(weight, x, 2, xStride, tokens, out, 1, outStride);
        return out;
    }

    private static void compare(GroupQuantWeight weight, float[] expected, float[] got, int tokens, int outStride,
                                String when) {
        int rows = weight.rows();
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                int i = 1 + t * outStride + r;
                if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
                    fail(weight.name() + " " + rows + "x" + weight.cols() + ", " + tokens + " tokens (" + when
                            + "): token " + t + " row " + r + ": 256-bit " + got[i] + ", 512-bit " + expected[i]);
                }
            }
        }
    }

    private static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static int[] shuffled(Random random, int n) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        return perm;
    }
}
