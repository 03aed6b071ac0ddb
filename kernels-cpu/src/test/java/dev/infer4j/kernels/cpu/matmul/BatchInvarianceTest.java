package dev.infer4j.kernels.cpu.matmul;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DESIGN principle 6 at the kernel level: a token's row of the product is bit-identical whether the token is
 * multiplied alone or inside a batch of any size, at any tile position, whatever the thread split, and
 * before and after the JIT compiles the kernels.
 */
class BatchInvarianceTest {

    private static final WorkerPool ONE_THREAD = new WorkerPool(1);
    private static final WorkerPool TWO_THREADS = new WorkerPool(2);
    private static final WorkerPool THREE_THREADS = new WorkerPool(3);
    /** Batches up to one past the smallest that takes the decoded-row tiles, so both paths are compared. */
    private static final int MAX_TOKENS = BlockMatmul.DECODE_MIN_TOKENS + 1;
    /** Calls enough for C1 and then C2 to compile the kernels of a small shape. */
    private static final int WARM_CALLS = 2000;
    /** Not a multiple of the 16 rows of a task, so tasks end mid-way and threads get uneven shares. */
    private static final int ROWS = 37;

    @AfterAll
    static void closePools() {
        ONE_THREAD.close();
        TWO_THREADS.close();
        THREE_THREADS.close();
    }

    static Stream<GgmlType> types() {
        return Stream.of(MatmulTest.TYPES);
    }

    /**
     * Columns that reach every path of the kernels: for the plain types two 32-column steps, one 16-column
     * step and a scalar tail; for block types an odd number of blocks (pairs and a last single block).
     */
    private static int cols(GgmlType type) {
        return type.blockSize() == 1 ? 2 * 32 + 16 + 5 : 3 * type.blockSize();
    }

    @ParameterizedTest
    @MethodSource("types")
    void everyTokenOfEveryBatchMatchesItsSoloProductBitForBit(GgmlType type) {
        checkEveryBatch(new Fixture(type, cols(type)));
    }

    /**
     * The 32-value block types again on rows of 8 and 11 blocks: whole groups of four blocks, where Q4_0's
     * folded four-token kernel runs, and whole groups followed by an incomplete one.
     */
    @ParameterizedTest
    @MethodSource("smallBlockShapes")
    void rowsOfWholeBlockGroupsToo(GgmlType type, int blocks) {
        checkEveryBatch(new Fixture(type, blocks * 32));
    }

    /**
     * Q4_0's folded tile takes the tokens of a batch {@code FoldedTile.TOKENS_PER_PASS} at a time: a batch of 35
     * spans a full pass and a short one. Every token must still be its solo product, bit for bit.
     */
    @org.junit.jupiter.api.Test
    void q4_0TilePassesMatchSoloProducts() {
        for (int blocks : new int[] {8, 11}) {
            int cols = blocks * 32;
            int tokens = 35;
            Random random = new Random(blocks);
            MemorySegment weights = MemorySegment.ofArray(RandomWeights.generate(GgmlType.Q4_0, ROWS, cols, random, false));
            float[] x = new float[tokens * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            Matmul m = Matmul.of(GgmlType.Q4_0, TWO_THREADS);
            float[] all = new float[tokens * ROWS];
            m.multiply(weights, ROWS, cols, x, 0, cols, tokens, all, 0, ROWS);
            float[] solo = new float[ROWS];
            for (int t = 0; t < tokens; t++) {
                m.multiply(weights, ROWS, cols, x, t * cols, cols, 1, solo, 0, ROWS);
                for (int r = 0; r < ROWS; r++) {
                    if (Float.floatToRawIntBits(solo[r]) != Float.floatToRawIntBits(all[t * ROWS + r])) {
                        throw new AssertionError(blocks + " blocks, token " + t + " of " + tokens + ", row " + r
                                + ": batch " + all[t * ROWS + r] + " vs solo " + solo[r]);
                    }
                }
            }
        }
    }

    /**
     * Q4_0's 256-bit kernels, on any CPU (the test above takes the CPU's own width): batches of 16 to 40 tokens
     * (full and partial quads of {@code dot4}), an odd last row (37 rows), rows of two and three whole groups.
     * Every token must be its solo product, which the one-token kernel computes, bit for bit.
     */
    @org.junit.jupiter.api.Test
    void q4_0At256BitsMatchesSoloProducts() {
        Matmul m = Matmul.of(GgmlType.Q4_0, TWO_THREADS, VectorWidth.W256);
        for (int blocks : new int[] {8, 12}) {
            int cols = blocks * 32;
            Random random = new Random(31 + blocks);
            MemorySegment weights = MemorySegment.ofArray(RandomWeights.generate(GgmlType.Q4_0, ROWS, cols, random, false));
            float[] x = new float[40 * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] solo = new float[40 * ROWS];
            for (int t = 0; t < 40; t++) {
                m.multiply(weights, ROWS, cols, x, t * cols, cols, 1, solo, t * ROWS, ROWS);
            }
            for (int tokens : new int[] {16, 17, 24, 35, 40}) {
                float[] all = new float[tokens * ROWS];
                m.multiply(weights, ROWS, cols, x, 0, cols, tokens, all, 0, ROWS);
                for (int i = 0; i < tokens * ROWS; i++) {
                    if (Float.floatToRawIntBits(solo[i]) != Float.floatToRawIntBits(all[i])) {
                        throw new AssertionError(blocks + " blocks, token " + i / ROWS + " of " + tokens + ", row "
                                + i % ROWS + ": batch " + all[i] + " vs solo " + solo[i]);
                    }
                }
            }
        }
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> smallBlockShapes() {
        return Stream.of(MatmulTest.TYPES).filter(t -> t.blockSize() == 32)
                .flatMap(t -> Stream.of(org.junit.jupiter.params.provider.Arguments.of(t, 8),
                        org.junit.jupiter.params.provider.Arguments.of(t, 11)));
    }

    private static void checkEveryBatch(Fixture f) {
        // cold: the first calls of this shape, mostly interpreted
        float[][] solo = f.soloProducts(TWO_THREADS);
        for (WorkerPool pool : new WorkerPool[] {ONE_THREAD, TWO_THREADS, THREE_THREADS}) {
            for (int tokens = 1; tokens <= MAX_TOKENS; tokens++) {
                for (int first = 0; first < MAX_TOKENS; first++) {
                    f.checkBatch(pool, tokens, first, solo, "cold, " + pool.threads() + " threads");
                }
            }
        }
        // warm: the same comparisons on every call while the JIT tiers change under them
        for (int call = 0; call < WARM_CALLS; call++) {
            f.checkBatch(TWO_THREADS, 1 + call % MAX_TOKENS, call / MAX_TOKENS, solo, "call " + call);
        }
        float[][] warmSolo = f.soloProducts(TWO_THREADS);
        for (int t = 0; t < MAX_TOKENS; t++) {
            f.compare(solo[t], warmSolo[t], 0, "warm solo token " + t + " vs cold solo");
        }
        for (int tokens = 2; tokens <= MAX_TOKENS; tokens++) {
            for (int first = 0; first < MAX_TOKENS; first++) {
                f.checkBatch(THREE_THREADS, tokens, first, solo, "warm, 3 threads");
            }
        }
    }

    /** Random weights and {@value #MAX_TOKENS} random activation rows for one type. */
    private static final class Fixture {
        final GgmlType type;
        final int cols;
        final MemorySegment weights;
        final float[] x;
        final Matmul matmul;
        final float[] out;
        final float[] batch;

        Fixture(GgmlType type, int cols) {
            this.type = type;
            this.cols = cols;
            Random random = new Random(11 + type.ordinal());
            this.weights = MemorySegment.ofArray(RandomWeights.generate(type, ROWS, cols, random, false));
            this.x = new float[MAX_TOKENS * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            this.matmul = Matmul.of(type, TWO_THREADS);
            this.out = new float[MAX_TOKENS * ROWS];
            this.batch = new float[MAX_TOKENS * cols];
        }

        float[][] soloProducts(WorkerPool pool) {
            Matmul m = Matmul.of(type, pool);
            float[][] solo = new float[MAX_TOKENS][ROWS];
            for (int t = 0; t < MAX_TOKENS; t++) {
                m.multiply(weights, ROWS, cols, x, t * cols, cols, 1, solo[t], 0, ROWS);
            }
            return solo;
        }

        /**
         * Multiplies tokens {@code first .. first+tokens-1} (wrapping round the {@value #MAX_TOKENS} rows) in one
         * call; over the first values each token visits every position of the batch.
         */
        void checkBatch(WorkerPool pool, int tokens, int first, float[][] solo, String when) {
            Matmul m = pool == TWO_THREADS ? matmul : Matmul.of(type, pool);
            for (int k = 0; k < tokens; k++) {
                System.arraycopy(x, ((first + k) % MAX_TOKENS) * cols, batch, k * cols, cols);
            }
            m.multiply(weights, ROWS, cols, batch, 0, cols, tokens, out, 0, ROWS);
            for (int k = 0; k < tokens; k++) {
                int t = (first + k) % MAX_TOKENS;
                compare(solo[t], out, k * ROWS, when + ": token " + t + " at position " + k + " of " + tokens);
            }
        }

        void compare(float[] expected, float[] got, int offset, String what) {
            for (int r = 0; r < ROWS; r++) {
                float e = expected[r];
                float g = got[offset + r];
                if (Float.floatToRawIntBits(e) != Float.floatToRawIntBits(g)) {
                    throw new AssertionError(type + " " + ROWS + "x" + cols + ", " + what + ", row " + r
                            + ": alone " + e + " (0x" + Integer.toHexString(Float.floatToRawIntBits(e)) + "), here " + g
                            + " (0x" + Integer.toHexString(Float.floatToRawIntBits(g)) + ")");
                }
            }
        }
    }
}
