package dev.infer4j.kernels.cpu.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MatmulTest {

    static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
        GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.IQ4_NL, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
        GgmlType.Q5_K, GgmlType.Q6_K};

    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Stream<GgmlType> types() {
        return Stream.of(TYPES);
    }

    /**
     * (rows, cols, tokens) covering one token, a tile of four plus a tail, rows that do not fill a task, and (13
     * tokens) the decoded-row tiles of the types that have them.
     */
    private static int[][] shapes(GgmlType type) {
        int unit = Math.max(type.blockSize(), 32);
        if (type.blockSize() == 1) {
            return new int[][] {{37, 70, 1}, {19, 48, 5}, {50, 256, 9}, {3, 16, 4}};
        }
        return new int[][] {{37, unit, 1}, {19, 2 * unit, 5}, {50, 3 * unit, 8}, {3, unit, 2}, {40, 2 * unit, 4},
            {23, 7 * unit, 6}, {29, 2 * unit, BlockMatmul.DECODE_MIN_TOKENS + 1}};
    }

    /**
     * Kernel vs scalar oracle, random valid blocks. Both sum the same exact block integers in float, in a
     * different order; each side rounds at most {@code cols/16 + 32} times, so they may differ by
     * {@code (cols/16 + 32)·2⁻²³·Σ|w|·|x̂|}.
     */
    @ParameterizedTest
    @MethodSource("types")
    void kernelMatchesScalarOracle(GgmlType type) {
        Random random = new Random(42 + type.ordinal());
        double worst = 0;
        for (int[] shape : shapes(type)) {
            int rows = shape[0];
            int cols = shape[1];
            int tokens = shape[2];
            byte[] w = RandomWeights.generate(type, rows, cols, random, false);
            int xOffset = 3;
            int xStride = cols + 5;
            float[] x = new float[xOffset + tokens * xStride];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            int outOffset = 2;
            int outStride = rows + 3;
            float[] out = new float[outOffset + tokens * outStride];
            Matmul.of(type, POOL).multiply(MemorySegment.ofArray(w), rows, cols, x, xOffset, xStride, tokens, out,
                    outOffset, outStride);
            long rowBytes = type.bytesFor(cols);
            float[] deq = new float[cols];
            float[] mag = new float[cols];
            for (int t = 0; t < tokens; t++) {
                float[] xq = quantizedActivations(type, x, xOffset + t * xStride, cols);
                for (int r = 0; r < rows; r++) {
                    float expected = GgmlOracle.dot(type, w, (int) (r * rowBytes), cols, x, xOffset + t * xStride);
                    GgmlOracle.dequantize(type, w, (int) (r * rowBytes), cols, deq, mag);
                    double magnitude = 0;
                    for (int c = 0; c < cols; c++) {
                        magnitude += (double) mag[c] * Math.abs(xq[c]);
                    }
                    double tolerance = (cols / 16 + 32) * 0x1p-23 * magnitude;
                    float got = out[outOffset + t * outStride + r];
                    double diff = Math.abs(got - expected);
                    worst = Math.max(worst, diff / tolerance);
                    if (diff > tolerance) {
                        throw new AssertionError(type + " " + rows + "x" + cols + " token " + t + " row " + r
                                + ": kernel " + got + " vs oracle " + expected + ", tolerance " + tolerance);
                    }
                }
            }
            assertEquals(0f, out[0], type + ": wrote before outOffset");
        }
        System.out.printf("%s: worst |kernel-oracle| = %.3f of tolerance%n", type, worst);
    }

    /**
     * With every scale and min 1.0 and activations whose blocks quantize with scale 1, all dequantized
     * values are integers: kernel and oracle must both hit the exact integer sum.
     */
    @ParameterizedTest
    @MethodSource("types")
    void integerPartsAreExactWithUnitScales(GgmlType type) {
        Random random = new Random(7 + type.ordinal());
        int rows = 21;
        int cols = type.blockSize() == 1 ? 256 : 512;
        int tokens = 6;
        byte[] w = RandomWeights.generate(type, rows, cols, random, true);
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = i % 32 == 0 ? -127 : random.nextInt(15) - 7;
        }
        float[] out = new float[tokens * rows];
        Matmul.of(type, POOL).multiply(MemorySegment.ofArray(w), rows, cols, x, 0, cols, tokens, out, 0, rows);
        float[] deq = new float[cols];
        long rowBytes = type.bytesFor(cols);
        for (int r = 0; r < rows; r++) {
            GgmlOracle.dequantize(type, w, (int) (r * rowBytes), cols, deq, null);
            for (int t = 0; t < tokens; t++) {
                long exact = 0;
                for (int c = 0; c < cols; c++) {
                    assertEquals(Math.rint(deq[c]), deq[c], "unit-scale weights must be integers");
                    exact += (long) deq[c] * (long) x[t * cols + c];
                }
                assertTrue(Math.abs(exact) < (1 << 24), "test values must stay exactly representable");
                float oracle = GgmlOracle.dot(type, w, (int) (r * rowBytes), cols, x, t * cols);
                assertEquals((float) exact, oracle, type + " oracle, row " + r + " token " + t);
                assertEquals((float) exact, out[t * rows + r], type + " kernel, row " + r + " token " + t);
            }
        }
    }

    @Test
    void preparedInputIsReusedAcrossMatmulsThatShareIt() {
        Random random = new Random(3);
        int cols = 256;
        int tokens = 3;
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        PreparedInput input = new PreparedInput().prepare(ActivationFormat.Q8_K, x, 0, cols, tokens, cols);
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            byte[] w = RandomWeights.generate(type, 9, cols, random, false);
            float[] viaPrepared = new float[tokens * 9];
            float[] direct = new float[tokens * 9];
            Matmul m = Matmul.of(type, POOL);
            m.multiply(MemorySegment.ofArray(w), 9, cols, input, viaPrepared, 0, 9);
            m.multiply(MemorySegment.ofArray(w), 9, cols, x, 0, cols, tokens, direct, 0, 9);
            assertEquals(java.util.Arrays.toString(direct), java.util.Arrays.toString(viaPrepared), type.toString());
        }
    }

    /**
     * Q4_0 folds the products of four blocks into 16-bit lanes of eight products each; with every nibble at an
     * extreme (0, i.e. −8, or 15, i.e. +7) against quants of ±127 a lane reaches ±8·8·127 and, before the nibble
     * bias comes off, 8·15·127. The result must still be the exact integer sum times the scales, for one token
     * and for a four-token tile, on rows of whole groups and with an incomplete last group.
     */
    @Test
    void q4_0ExtremeProductsStayExact() {
        for (int blocks : new int[] {8, 7}) {
            int cols = blocks * 32;
            int rows = 6;
            int tokens = 5;
            byte[] w = new byte[rows * blocks * 18];
            float[] x = new float[tokens * cols];
            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < cols; c++) {
                    x[t * cols + c] = (t + c / 32) % 2 == 0 ? 1f : -1f;
                }
            }
            long[][] exact = new long[rows][tokens];
            for (int r = 0; r < rows; r++) {
                for (int b = 0; b < blocks; b++) {
                    int o = (r * blocks + b) * 18;
                    w[o + 1] = 0x3C; // F16 1.0
                    int nibble = (r + b) % 3 == 0 ? 0 : 15;
                    for (int j = 0; j < 16; j++) {
                        w[o + 2 + j] = (byte) (nibble | nibble << 4);
                    }
                    for (int t = 0; t < tokens; t++) {
                        exact[r][t] += 32L * (nibble - 8) * 127 * ((t + b) % 2 == 0 ? 1 : -1);
                    }
                }
            }
            float[] out = new float[tokens * rows];
            Matmul.of(GgmlType.Q4_0, POOL).multiply(MemorySegment.ofArray(w), rows, cols, x, 0, cols, tokens, out, 0,
                    rows);
            float dy = Float.float16ToFloat(Float.floatToFloat16(1f / 127f));
            for (int r = 0; r < rows; r++) {
                for (int t = 0; t < tokens; t++) {
                    double expected = exact[r][t] * (double) dy;
                    assertEquals(expected, out[t * rows + r], Math.abs(expected) * 1e-6 + 1e-6,
                            blocks + " blocks, row " + r + " token " + t);
                }
            }
        }
    }

    @Test
    void refusesBadShapesWithClearErrors() {
        Matmul q4 = Matmul.of(GgmlType.Q4_0, POOL);
        MemorySegment w = MemorySegment.ofArray(new byte[18 * 4]);
        var notBlocks = assertThrows(IllegalArgumentException.class,
                () -> q4.multiply(w, 2, 48, new float[48], 0, 48, 1, new float[2], 0, 2));
        assertTrue(notBlocks.getMessage().contains("multiple of 32"), notBlocks.getMessage());
        var tooFewBytes = assertThrows(IllegalArgumentException.class,
                () -> q4.multiply(w, 3, 64, new float[64], 0, 64, 1, new float[3], 0, 3));
        assertTrue(tooFewBytes.getMessage().contains("weight segment holds 72"), tooFewBytes.getMessage());
        var smallOut = assertThrows(IllegalArgumentException.class,
                () -> q4.multiply(w, 2, 64, new float[64], 0, 64, 1, new float[1], 0, 2));
        assertTrue(smallOut.getMessage().contains("out holds 1"), smallOut.getMessage());
        var wrongFormat = assertThrows(IllegalArgumentException.class, () -> q4.multiply(w, 2, 64,
                new PreparedInput().prepare(ActivationFormat.Q8_1, new float[64], 0, 64, 1, 64), new float[2], 0, 2));
        assertTrue(wrongFormat.getMessage().contains("need Q8_0 input"), wrongFormat.getMessage());
        var unsupported = assertThrows(IllegalArgumentException.class, () -> Matmul.of(GgmlType.IQ2_XXS, POOL));
        assertTrue(unsupported.getMessage().contains("IQ2_XXS"), unsupported.getMessage());
    }

    /** The activations as the kernel sees them: quantized-dequantized or rounded. */
    static float[] quantizedActivations(GgmlType type, float[] x, int off, int cols) {
        return switch (GgmlOracle.formatFor(type)) {
            case F32 -> java.util.Arrays.copyOfRange(x, off, off + cols);
            case F16 -> {
                float[] r = new float[cols];
                for (int i = 0; i < cols; i++) {
                    r[i] = GgmlOracle.f16(x[off + i]);
                }
                yield r;
            }
            case BF16 -> {
                float[] r = new float[cols];
                for (int i = 0; i < cols; i++) {
                    r[i] = GgmlOracle.bf16(x[off + i]);
                }
                yield r;
            }
            case Q8_0, Q8_1 -> GgmlOracle.quantizeQ8(x, off, cols, false).dequantized();
            case Q8_K -> GgmlOracle.quantizeQ8K(x, off, cols).dequantized();
        };
    }
}
