package dev.infer4j.kernels.cpu;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.ActivationBuffer;
import dev.infer4j.kernels.Attention;
import dev.infer4j.kernels.AttentionMethod;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.KvBatch;
import dev.infer4j.kernels.KvLayout;
import dev.infer4j.kernels.KvStorage;
import dev.infer4j.kernels.KvType;
import dev.infer4j.kernels.Rope;
import dev.infer4j.kernels.RopeStyle;
import dev.infer4j.kernels.Weight;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every non-matmul operation of the CPU backend against a plain scalar implementation written from the
 * operation's definition (double precision, no shortcuts), on random shapes with ragged sizes.
 */
class CpuKernelsScalarOracleTest {
    private static Kernels kernels;
    private static final Arena ARENA = Arena.ofShared();
    private final SplittableRandom random = new SplittableRandom(42);

    @BeforeAll
    static void open() {
        kernels = Kernels.load("cpu", 2);
    }

    @AfterAll
    static void close() {
        kernels.close();
        ARENA.close();
    }

    private float[] randoms(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    private static ActivationBuffer upload(float[] values) {
        ActivationBuffer b = kernels.allocate(values.length);
        kernels.upload(values, 0, b, 0, values.length);
        return b;
    }

    private static float[] download(ActivationBuffer b, int n) {
        float[] out = new float[n];
        kernels.download(b, 0, out, 0, n);
        return out;
    }

    private static Weight vector(String name, float[] values) {
        MemorySegment m = ARENA.allocate((long) values.length * 4, 64);
        MemorySegment.copy(values, 0, m, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, values.length);
        return kernels.weight(name, GgmlType.F32, m, 1, values.length);
    }

    private static void assertClose(double[] expected, float[] actual, double rel, String what) {
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.max(1.0, Math.abs(expected[i]));
            if (Math.abs(expected[i] - actual[i]) > tol) {
                fail(what + ": element " + i + " expected " + expected[i] + " got " + actual[i] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void rmsNormMatchesItsDefinition() {
        for (int dim : new int[] {1, 7, 64, 129, 2048}) {
            int rows = 1 + random.nextInt(5);
            float[] x = randoms(rows * dim, 3);
            float[] gamma = randoms(dim, 2);
            ActivationBuffer out = kernels.allocate(rows * dim);
            kernels.rmsNorm(upload(x), vector("g", gamma), out, rows, 1e-5f);
            double[] expected = new double[rows * dim];
            for (int r = 0; r < rows; r++) {
                double ss = 0;
                for (int i = 0; i < dim; i++) {
                    ss += (double) x[r * dim + i] * x[r * dim + i];
                }
                double inv = 1 / Math.sqrt(ss / dim + 1e-5);
                for (int i = 0; i < dim; i++) {
                    expected[r * dim + i] = x[r * dim + i] * inv * gamma[i];
                }
            }
            assertClose(expected, download(out, rows * dim), 1e-5, "rmsNorm dim " + dim);
        }
    }

    @Test
    void ropeRotatesEachPairByItsPositionInBothLayouts() {
        for (RopeStyle style : RopeStyle.values()) {
            int heads = 3;
            int headLength = 64;
            int dims = 48;
            int tokens = 5;
            float[] factors = new float[dims / 2];
            for (int i = 0; i < factors.length; i++) {
                factors[i] = 1 + i % 3;
            }
            Rope rope = new Rope(style, dims, 10000f, 1f, factors, 0f, 1f, 32f, 1f, 0);
            int[] positions = {0, 3, 17, 100, 511};
            float[] x = randoms(tokens * heads * headLength, 1);
            ActivationBuffer b = upload(x);
            kernels.rope(b, tokens, heads, headLength, positions, rope);
            double[] expected = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                expected[i] = x[i];
            }
            for (int t = 0; t < tokens; t++) {
                for (int h = 0; h < heads; h++) {
                    int base = (t * heads + h) * headLength;
                    for (int i = 0; i < dims / 2; i++) {
                        double theta = positions[t] * Math.pow(10000.0, -2.0 * i / dims) / factors[i];
                        int a = style == RopeStyle.NORMAL ? base + 2 * i : base + i;
                        int c = style == RopeStyle.NORMAL ? base + 2 * i + 1 : base + i + dims / 2;
                        expected[a] = x[a] * Math.cos(theta) - x[c] * Math.sin(theta);
                        expected[c] = x[a] * Math.sin(theta) + x[c] * Math.cos(theta);
                    }
                }
            }
            assertClose(expected, download(b, x.length), 2e-4, "rope " + style);
        }
    }

    @Test
    void softmaxGatesAndElementwiseOpsMatchTheirDefinitions() {
        int rows = 3;
        int width = 37;
        float[] x = randoms(rows * width, 8);
        ActivationBuffer s = upload(x);
        kernels.softmax(s, rows, width);
        double[] expected = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < width; i++) {
                max = Math.max(max, x[r * width + i]);
            }
            double sum = 0;
            for (int i = 0; i < width; i++) {
                sum += Math.exp(x[r * width + i] - max);
            }
            for (int i = 0; i < width; i++) {
                expected[r * width + i] = Math.exp(x[r * width + i] - max) / sum;
            }
        }
        assertClose(expected, download(s, x.length), 1e-5, "softmax");

        float[] gate = randoms(301, 6);
        float[] up = randoms(301, 2);
        ActivationBuffer out = kernels.allocate(301);
        kernels.swiglu(upload(gate), upload(up), out, 301);
        double[] silu = new double[301];
        double[] gelu = new double[301];
        for (int i = 0; i < 301; i++) {
            silu[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
            double g = gate[i];
            gelu[i] = 0.5 * g * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (g + 0.044715 * g * g * g))) * up[i];
        }
        assertClose(silu, download(out, 301), 1e-5, "swiglu");
        kernels.geglu(upload(gate), upload(up), out, 301);
        // ggml looks GELU up in a table indexed by the half-precision input: expect half-precision accuracy.
        assertClose(gelu, download(out, 301), 4e-3, "geglu");

        float[] a = randoms(50, 3);
        float[] c = randoms(50, 3);
        ActivationBuffer sum = kernels.allocate(50);
        kernels.add(upload(a), upload(c), sum, 50);
        kernels.scale(sum, 0.5f, 50);
        kernels.softCap(sum, 1.5f, 50);
        double[] e = new double[50];
        for (int i = 0; i < 50; i++) {
            e[i] = 1.5 * Math.tanh((a[i] + (double) c[i]) * 0.5 / 1.5);
        }
        assertClose(e, download(sum, 50), 1e-5, "add, scale, softCap");
    }

    @Test
    void topKPicksTheLargestLowestIndexFirst() {
        ActivationBuffer x = upload(new float[] {0.1f, 0.9f, 0.5f, 0.9f, -1f, 0.2f, 0.3f, 0.3f});
        int[] ids = new int[4];
        float[] values = new float[4];
        kernels.topK(x, 2, 4, 2, ids, values);
        assertArrayEquals(new int[] {1, 3, 2, 3}, ids);
        assertArrayEquals(new float[] {0.9f, 0.9f, 0.3f, 0.3f}, values);
    }

    /** Paged attention over two sequences of ragged lengths, scattered blocks, GQA, a window and soft-capping. */
    @Test
    void pagedAttentionMatchesADenseCausalReference() {
        int blockSize = 4;
        int kvHeads = 2;
        int queryHeads = 6;
        int dk = 16;
        int dv = 16;
        int[][] blocks = {{5, 1, 7, 3}, {0, 6, 2}};
        int[] past = {6, 3};
        int[] fresh = {4, 5};
        for (int window : new int[] {0, 5}) {
            for (float cap : new float[] {0f, 0.8f}) {
                KvStorage kv = kernels.allocateKv(new KvLayout(8, blockSize, kvHeads, dk, dv, KvType.F32));
                float[][] keys = new float[2][];
                float[][] values = new float[2][];
                for (int s = 0; s < 2; s++) {
                    int n = past[s] + fresh[s];
                    keys[s] = randoms(n * kvHeads * dk, 1);
                    values[s] = randoms(n * kvHeads * dv, 1);
                    KvBatch history = new KvBatch(blockSize);
                    history.addSequence(blocks[s], blocks[s].length, 0, past[s]);
                    kernels.storeKv(kv, slice(keys[s], 0, past[s] * kvHeads * dk),
                            slice(values[s], 0, past[s] * kvHeads * dv), history);
                }
                KvBatch batch = new KvBatch(blockSize);
                int tokens = fresh[0] + fresh[1];
                float[] q = randoms(tokens * queryHeads * dk, 1);
                float[] newK = new float[tokens * kvHeads * dk];
                float[] newV = new float[tokens * kvHeads * dv];
                int row = 0;
                for (int s = 0; s < 2; s++) {
                    batch.addSequence(blocks[s], blocks[s].length, past[s], fresh[s]);
                    System.arraycopy(keys[s], past[s] * kvHeads * dk, newK, row * kvHeads * dk, fresh[s] * kvHeads * dk);
                    System.arraycopy(values[s], past[s] * kvHeads * dv, newV, row * kvHeads * dv, fresh[s] * kvHeads * dv);
                    row += fresh[s];
                }
                kernels.storeKv(kv, upload(newK), upload(newV), batch);
                ActivationBuffer out = kernels.allocate(tokens * queryHeads * dv);
                float scale = 0.25f;
                kernels.attention(upload(q), kv, out, batch, new Attention(queryHeads, scale, cap, window,
                        AttentionMethod.SOFTMAX));
                double[] expected = new double[tokens * queryHeads * dv];
                row = 0;
                for (int s = 0; s < 2; s++) {
                    for (int t = 0; t < fresh[s]; t++, row++) {
                        int pos = past[s] + t;
                        for (int h = 0; h < queryHeads; h++) {
                            int g = h / (queryHeads / kvHeads);
                            double[] scores = new double[pos + 1];
                            double max = Double.NEGATIVE_INFINITY;
                            for (int k = 0; k <= pos; k++) {
                                if (window > 0 && pos - k >= window) {
                                    scores[k] = Double.NEGATIVE_INFINITY;
                                    continue;
                                }
                                double dot = 0;
                                for (int d = 0; d < dk; d++) {
                                    dot += (double) q[(row * queryHeads + h) * dk + d] * keys[s][(k * kvHeads + g) * dk + d];
                                }
                                if (cap > 0) {
                                    dot = cap * Math.tanh(dot / cap);
                                }
                                scores[k] = dot * scale;
                                max = Math.max(max, scores[k]);
                            }
                            double sum = 0;
                            for (int k = 0; k <= pos; k++) {
                                sum += Math.exp(scores[k] - max);
                            }
                            for (int d = 0; d < dv; d++) {
                                double acc = 0;
                                for (int k = 0; k <= pos; k++) {
                                    acc += Math.exp(scores[k] - max) / sum * values[s][(k * kvHeads + g) * dv + d];
                                }
                                expected[(row * queryHeads + h) * dv + d] = acc;
                            }
                        }
                    }
                }
                assertClose(expected, download(out, expected.length), 1e-5,
                        "attention window " + window + " softcap " + cap);
            }
        }
    }

    private static ActivationBuffer slice(float[] a, int from, int count) {
        float[] part = new float[Math.max(1, count)];
        System.arraycopy(a, from, part, 0, count);
        return upload(part);
    }
}
