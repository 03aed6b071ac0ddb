package dev.infer4j.kernels.cpu.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.HalfDotOrder;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * F16 products and attention scores are summed exactly as ggml's {@code ggml_vec_dot_f16} compiled for AVX2 sums
 * them, written out below one float at a time from its source: four accumulators of eight lanes over steps of 32
 * columns, {@code (a0 + a2) + (a1 + a3)}, the eight lanes folded four onto four and then
 * {@code (t0 + t1) + (t2 + t3)}, the rest one product at a time in double. Any other order changes some results by
 * an ulp, which is what these tests catch bit for bit (the model-level consequence is in the runtime's
 * {@code RealModelsMatchLlamaCppTest}, where the F16 file meets llama.cpp's log-probabilities only in this order).
 */
class HalfDotOrderTest {

    private static final WorkerPool POOL = new WorkerPool(2);
    private static final int ROWS = 9;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /** ggml's AVX2 {@code ggml_vec_dot_f16}/{@code ggml_vec_dot_f32}, lane by lane. */
    static float ggmlDot(float[] x, int xo, float[] y, int yo, int n) {
        float[][] sum = new float[4][8];
        int np = n & ~31;
        for (int i = 0; i < np; i += 32) {
            for (int j = 0; j < 4; j++) {
                for (int l = 0; l < 8; l++) {
                    int c = i + 8 * j + l;
                    sum[j][l] = Math.fma(x[xo + c], y[yo + c], sum[j][l]);
                }
            }
        }
        // GGML_F32x8_REDUCE: x[0] += x[2], x[1] += x[3]; x[0] += x[1]; low and high 128 bits added; two hadds
        float[] r = new float[8];
        for (int l = 0; l < 8; l++) {
            r[l] = (sum[0][l] + sum[2][l]) + (sum[1][l] + sum[3][l]);
        }
        float t0 = r[0] + r[4];
        float t1 = r[1] + r[5];
        float t2 = r[2] + r[6];
        float t3 = r[3] + r[7];
        double sumf = (t0 + t1) + (t2 + t3);
        for (int i = np; i < n; i++) {
            sumf += x[xo + i] * y[yo + i];
        }
        return (float) sumf;
    }

    @ParameterizedTest(name = "{0} values")
    @ValueSource(ints = {1, 7, 8, 16, 31, 32, 33, 64, 100, 128, 172, 200})
    void scoresSumInGgmlOrder(int n) {
        Random random = new Random(n);
        float[] x = halves(random, n + 3);
        float[] y = new float[n + 5];
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) random.nextGaussian();
        }
        assertEquals(ggmlDot(x, 3, y, 5, n), HalfDotOrder.dot(x, 3, y, 5, n, new float[8]),
                "HalfDotOrder.dot over " + n + " values");
    }

    /** Both vector widths, one-token and four-token paths (1 to 6 tokens), heap and native rows. */
    @ParameterizedTest(name = "{0} columns")
    @ValueSource(ints = {8, 32, 48, 64, 96, 172, 256})
    void f16ProductsSumInGgmlOrder(int cols) {
        Random random = new Random(cols);
        float[] weights = halves(random, ROWS * cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(2L * weights.length, 64);
            MemorySegment heap = MemorySegment.ofArray(new short[weights.length]);
            for (int i = 0; i < weights.length; i++) {
                native_.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(weights[i]));
                heap.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(weights[i]));
            }
            for (int tokens = 1; tokens <= 6; tokens++) {
                float[] x = new float[tokens * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian() * 3;
                }
                float[] rounded = halves(x);
                for (VectorWidth width : VectorWidth.values()) {
                    Matmul kernel = Matmul.of(GgmlType.F16, POOL, width);
                    for (MemorySegment w : new MemorySegment[] {native_, heap}) {
                        float[] out = new float[tokens * ROWS];
                        kernel.multiply(w, ROWS, cols, x, 0, cols, tokens, out, 0, ROWS);
                        for (int t = 0; t < tokens; t++) {
                            for (int r = 0; r < ROWS; r++) {
                                assertEquals(ggmlDot(weights, r * cols, rounded, t * cols, cols), out[t * ROWS + r],
                                        width + " F16 row " + r + " token " + t + " of " + tokens + ", "
                                                + (w.isNative() ? "native" : "heap") + " weights");
                            }
                        }
                    }
                }
            }
        }
    }

    /** Random values that are exact halves, as F16 weights and a rounded query are. */
    private static float[] halves(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return halves(v);
    }

    private static float[] halves(float[] v) {
        float[] h = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            h[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
        }
        return h;
    }
}
