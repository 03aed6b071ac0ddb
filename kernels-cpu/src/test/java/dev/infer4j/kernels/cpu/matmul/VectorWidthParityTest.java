package dev.infer4j.kernels.cpu.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 256-bit kernels give the 512-bit kernels' results bit for bit, for every weight type, on rows that reach
 * every path (odd block counts, whole and incomplete groups of four blocks, plain-type tails), for batches that
 * reach the one-token, four-token and decoded-tile paths, from heap and native weights, before and after C2
 * compiles them. So a model answers the same on an AVX2 machine as on an AVX-512 one.
 */
class VectorWidthParityTest {

    private static final WorkerPool POOL = new WorkerPool(2);
    private static final int ROWS = 37;
    private static final int[] TOKENS = {1, 2, 3, 4, 5, 8, 9, 13, 35};
    /** Calls on one small shape: enough for C2 to compile the 256-bit kernels (the 512-bit ones may stay slow). */
    private static final int WARM_CALLS = 300;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    /**
     * The types under test: all of {@link MatmulTest#TYPES}, or while working on some kernels those named in
     * {@code -Dinfer4j.parityTypes=Q8_0,F16} (the 512-bit kernels run slowly on an AVX2 machine).
     */
    static List<GgmlType> types() {
        String only = System.getProperty("infer4j.parityTypes", "");
        List<GgmlType> types = new ArrayList<>();
        for (GgmlType type : MatmulTest.TYPES) {
            if (only.isBlank() || List.of(only.split(",")).contains(type.name())) {
                types.add(type);
            }
        }
        return types;
    }

    static Stream<Arguments> shapes() {
        List<Arguments> shapes = new ArrayList<>();
        for (GgmlType type : types()) {
            if (type.blockSize() == 1) {
                shapes.add(Arguments.of(type, 2 * 32 + 16 + 5));
                shapes.add(Arguments.of(type, 256));
            } else if (type.blockSize() == 32) {
                for (int blocks : new int[] {3, 8, 11}) {
                    shapes.add(Arguments.of(type, blocks * 32));
                }
            } else {
                shapes.add(Arguments.of(type, 3 * type.blockSize()));
            }
        }
        return shapes.stream();
    }

    @ParameterizedTest(name = "{0} x {1} columns")
    @MethodSource("shapes")
    void bothWidthsGiveTheSameBitsForEveryBatch(GgmlType type, int cols) {
        Random random = new Random(type.ordinal() * 131L + cols);
        byte[] bytes = RandomWeights.generate(type, ROWS, cols, random, false);
        int maxTokens = TOKENS[TOKENS.length - 1];
        float[] x = new float[maxTokens * cols + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        Matmul wide = Matmul.of(type, POOL, VectorWidth.W512);
        Matmul narrow = Matmul.of(type, POOL, VectorWidth.W256);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment heap = MemorySegment.ofArray(bytes);
            MemorySegment[] segments = {heap, arena.allocate(bytes.length, 64).copyFrom(heap)};
            for (MemorySegment weights : segments) {
                for (int tokens : TOKENS) {
                    compare(type, cols, tokens, weights, x, wide, narrow);
                }
            }
        }
    }

    /** The decode path (one token) and a four-token batch again once C2 has compiled the 256-bit kernels. */
    @Test
    void compiledKernelsStillAgree() {
        for (GgmlType type : types()) {
            int cols = type.blockSize() == 1 ? 256 : Math.max(256, 8 * type.blockSize());
            Random random = new Random(type.ordinal());
            MemorySegment weights = MemorySegment.ofArray(RandomWeights.generate(type, ROWS, cols, random, false));
            float[] x = new float[9 * cols + 3];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            Matmul wide = Matmul.of(type, POOL, VectorWidth.W512);
            Matmul narrow = Matmul.of(type, POOL, VectorWidth.W256);
            float[] out = new float[9 * ROWS];
            for (int i = 0; i < WARM_CALLS; i++) {
                narrow.multiply(weights, ROWS, cols, x, 0, cols, 1 + i % 9, out, 0, ROWS);
            }
            for (int tokens : new int[] {1, 4, 9}) {
                compare(type, cols, tokens, weights, x, wide, narrow);
            }
        }
    }

    private static void compare(GgmlType type, int cols, int tokens, MemorySegment weights, float[] x, Matmul wide,
                                Matmul narrow) {
        int outStride = ROWS + 2;
        float[] expected = new float[tokens * outStride + 1];
        float[] actual = new float[tokens * outStride + 1];
        wide.multiply(weights, ROWS, cols, x, 3, cols, tokens, expected, 1, outStride);
        narrow.multiply(weights, ROWS, cols, x, 3, cols, tokens, actual, 1, outStride);
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < ROWS; r++) {
                int i = 1 + t * outStride + r;
                if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                    fail(type + " " + cols + " columns, " + tokens + " tokens (" + (weights.isNative() ? "native"
                            : "heap") + " weights): token " + t + " row " + r + " is " + actual[i]
                            + " at 256 bits, " + expected[i] + " at 512");
                }
            }
        }
        assertEquals(0f, actual[0], "nothing written before the output offset");
    }
}
