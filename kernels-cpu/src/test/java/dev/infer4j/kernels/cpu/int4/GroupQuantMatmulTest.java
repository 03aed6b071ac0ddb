package dev.infer4j.kernels.cpu.int4;

import dev.infer4j.formats.int4.AwqPacker;
import dev.infer4j.formats.int4.GptqPacker;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.int4.PackedMatrix;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The vectorized GPTQ/AWQ products against a double-precision product of the weights the format's own unpacker
 * dequantizes, over shapes that exercise the vector blocks and the scalar tail, act-order, every bit width and
 * several tokens with strided buffers.
 */
class GroupQuantMatmulTest {
    private static WorkerPool pool;

    @BeforeAll
    static void start() {
        pool = new WorkerPool(2);
    }

    @AfterAll
    static void stop() {
        pool.close();
    }

    @ParameterizedTest(name = "GPTQ {0}-bit group {1} sym={2} act-order={3}, {4}x{5}, {6} tokens")
    @CsvSource({
            "4, 128, true, false, 128, 256, 1", "4, 128, false, false, 152, 384, 3", "4, 32, false, false, 64, 128, 5",
            "4, -1, true, false, 80, 192, 2", "4, 64, false, true, 152, 256, 1", "4, 128, true, true, 64, 384, 4",
            "8, 64, false, false, 152, 256, 2", "8, 32, true, true, 64, 128, 1", "2, 64, false, false, 144, 256, 3",
            "2, 32, true, true, 64, 128, 2", "4, 48, false, false, 64, 192, 1"})
    void gptqProductMatchesDequantizedWeights(int bits, int groupSize, boolean sym, boolean actOrder, int rows, int cols,
                                              int tokens) {
        Random random = new Random(rows * 31L + cols + bits);
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
        check(GptqPacker.pack(w, rows, cols, bits, groupSize, sym, gIdx, true), tokens, random);
    }

    @ParameterizedTest(name = "AWQ group {0}, {1}x{2}, {3} tokens")
    // 190 inputs in one group: the four-row sweeps end two rows short, which the single-row sweep takes. 1040 and
    // 1032 inputs make three input chunks, the last a short one, so the one-token sweep reads ahead up to each
    // chunk's end and to the matrix's (the weights' segment ends there: one read too far throws). 3200 by 1560
    // makes four chunks, the last one group of 24 inputs, so two threads give each task all 3200 outputs: past
    // ReadAhead.MAX_OUTPUTS; 1557 inputs leave a last group of 21 (not a multiple of eight, so summed in row
    // order), where the sweep reads only the first lines of the next rows, up to the same ends. 3200 by 256 is one
    // chunk, which the tasks split into narrow slices of outputs
    @CsvSource({"128, 128, 256, 1", "128, 264, 384, 3", "64, 136, 128, 2", "32, 256, 128, 5", "-1, 128, 192, 1",
            "-1, 128, 190, 2", "128, 264, 1040, 1", "32, 136, 1032, 1", "128, 3200, 256, 1", "128, 3200, 1560, 1",
            "128, 3200, 1557, 1"})
    void awqProductMatchesDequantizedWeights(int groupSize, int rows, int cols, int tokens) {
        Random random = new Random(rows * 17L + cols);
        check(AwqPacker.pack(gaussian(random, rows * cols), rows, cols, groupSize), tokens, random);
    }

    private static void check(PackedMatrix p, int tokens, Random random) {
        int rows = p.rows();
        int cols = p.cols();
        int xStride = cols + 3;
        int outStride = rows + 5;
        float[] x = gaussian(random, 2 + tokens * xStride);
        float[] out = new float[1 + tokens * outStride];
        try (Arena arena = Arena.ofShared()) {
            GroupQuantizedMatrix m = p.toMatrix("test", arena);
            GroupQuantMatmul kernel = new GroupQuantMatmul(pool);
            kernel.multiply(GroupQuantWeight.of(m), x, 2, xStride, tokens, out, 1, outStride);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    double magnitude = 0;
                    for (int c = 0; c < cols; c++) {
                        double v = (double) m.dequantize(r, c) * x[2 + t * xStride + c];
                        sum += v;
                        magnitude += Math.abs(v);
                    }
                    float got = out[1 + t * outStride + r];
                    if (Math.abs(got - sum) > 1e-5 * magnitude + 1e-7) {
                        fail(p.layout() + " token " + t + " row " + r + ": " + got + ", expected " + sum
                                + " (|terms| sum " + magnitude + ")");
                    }
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
