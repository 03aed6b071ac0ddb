package dev.infer4j.kernels.cpu.matmul;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Q4_K, Q5_K and Q6_K kernels compute each super-block's integer sum exactly and fold it into the row's float
 * sum in one fixed order: {@code sum += d·dy·isum} super-block by super-block (and, for Q4_K,
 * {@code mins += dmin·dy·msum}, returning {@code sum − mins}). So their results are fixed to the bit by that
 * order, whatever integer arithmetic the kernel uses inside a super-block; a scalar model of it must agree
 * with them bit for bit, here on random blocks and on blocks whose integer sums reach the extremes the
 * formats allow (past 2<sup>24</sup>, where the conversion to float rounds).
 *
 * <p>Q3_K keeps sixteen float lanes instead: lane {@code i} takes, super-block by super-block,
 * {@code fma(isum_i, d·dy, lane)} with {@code isum_i} the exact scaled sum of value {@code i} of each of the
 * sixteen 16-value sub-blocks, and the lanes are added in {@link Lanes#sum}'s tree at the end. Q2_K keeps
 * the same sixteen lanes (with {@code dmin·dy·msum} summed apart, super-block by super-block, and subtracted
 * from the lane tree's sum at the end).
 */
class KQuantExactSumsTest {

    private static final WorkerPool POOL = new WorkerPool(2);
    private static final int TOKENS = 6;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void kernelEqualsTheScalarOrderOfExactSuperBlockSumsBitForBit(GgmlType type) {
        Random random = new Random(5 + type.ordinal());
        int cols = 3 * 256;
        int randomRows = 19;
        int rows = randomRows + 2;
        int rowBytes = (int) type.bytesFor(cols);
        byte[] w = Arrays.copyOf(RandomWeights.generate(type, randomRows, cols, random, false), rows * rowBytes);
        extremeRow(type, w, randomRows * rowBytes, cols, true);
        extremeRow(type, w, (randomRows + 1) * rowBytes, cols, false);
        float[] x = new float[TOKENS * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        // token 4: every quant -127; token 5: the first of each super-block -127, every other +127
        Arrays.fill(x, 4 * cols, 5 * cols, -1f);
        for (int c = 0; c < cols; c++) {
            x[5 * cols + c] = c % 256 == 0 ? -1f : 1f;
        }
        float[] out = new float[TOKENS * rows];
        Matmul.of(type, POOL).multiply(MemorySegment.ofArray(w), rows, cols, x, 0, cols, TOKENS, out, 0, rows);
        for (int t = 0; t < TOKENS; t++) {
            GgmlOracle.Q8Row y = GgmlOracle.quantizeQ8K(x, t * cols, cols);
            for (int r = 0; r < rows; r++) {
                float want = scalarOrder(type, w, r * rowBytes, cols, y);
                float got = out[t * rows + r];
                if (Float.floatToRawIntBits(want) != Float.floatToRawIntBits(got)) {
                    throw new AssertionError(type + " row " + r + " token " + t + ": kernel " + got + " (0x"
                            + Integer.toHexString(Float.floatToRawIntBits(got)) + "), exact sums in order " + want
                            + " (0x" + Integer.toHexString(Float.floatToRawIntBits(want)) + ")");
                }
            }
        }
    }

    /** Every value and scale at the most negative ({@code low}) or most positive end of the format. */
    private static void extremeRow(GgmlType type, byte[] w, int off, int cols, boolean low) {
        for (int b = 0; b < cols / 256; b++) {
            int o = off + b * type.typeSize();
            switch (type) {
                case Q2_K -> {
                    // every scale and min 15; low: every value 0, high: every value 3
                    Arrays.fill(w, o, o + 16, (byte) 0xFF);
                    Arrays.fill(w, o + 16, o + 80, low ? 0 : (byte) 0xFF);
                    putHalf(w, o + 80, 0.75f);
                    putHalf(w, o + 82, 0.5f);
                }
                case Q3_K -> {
                    // low: every value 0 - 4 and every scale 0 - 32; high: every value 3, every scale 63 - 32
                    Arrays.fill(w, o, o + 108, low ? 0 : (byte) 0xFF);
                    putHalf(w, o + 108, 0.75f);
                }
                case Q6_K -> {
                    Arrays.fill(w, o, o + 192, low ? 0 : (byte) 0xFF);
                    Arrays.fill(w, o + 192, o + 208, low ? (byte) -128 : (byte) 127);
                    putHalf(w, o + 208, 0.75f);
                }
                case Q4_K -> {
                    putHalf(w, o, 0.75f);
                    putHalf(w, o + 2, 0.5f);
                    Arrays.fill(w, o + 4, o + 16, (byte) 0xFF);
                    Arrays.fill(w, o + 16, o + 144, low ? 0 : (byte) 0xFF);
                }
                case Q5_K -> {
                    putHalf(w, o, 0.75f);
                    putHalf(w, o + 2, 0.5f);
                    Arrays.fill(w, o + 4, o + 16, (byte) 0xFF);
                    Arrays.fill(w, o + 16, o + 176, low ? 0 : (byte) 0xFF);
                }
                default -> throw new IllegalArgumentException(type.toString());
            }
        }
    }

    private static void putHalf(byte[] w, int o, float v) {
        short h = Float.floatToFloat16(v);
        w[o] = (byte) h;
        w[o + 1] = (byte) (h >> 8);
    }

    /** The kernels' float order over exact super-block integers (the integers computed in {@code long}). */
    private static float scalarOrder(GgmlType type, byte[] w, int off, int cols, GgmlOracle.Q8Row y) {
        if (type == GgmlType.Q2_K) {
            return q2kLaneOrder(w, off, cols, y);
        }
        if (type == GgmlType.Q3_K) {
            return q3kLaneOrder(w, off, cols, y);
        }
        float sum = 0f;
        float mins = 0f;
        for (int b = 0; b < cols / 256; b++) {
            int o = off + b * type.typeSize();
            byte[] values = GgmlOracle.unpackValues(type, w, o);
            int[] scales = GgmlOracle.subBlockScales(type, w, o);
            int group = 256 / scales.length;
            long isum = 0;
            for (int j = 0; j < 256; j++) {
                isum += (long) scales[j / group] * values[j] * y.qs()[b * 256 + j];
            }
            float dy = y.d()[b];
            if (type == GgmlType.Q6_K) {
                sum += Float.float16ToFloat(GgmlOracle.getShort(w, o + 208)) * dy * (int) isum;
            } else {
                int[] m = GgmlOracle.kMins(w, o);
                int msum = 0;
                for (int j = 0; j < 16; j++) {
                    msum += m[j / 2] * y.bsums()[b * 16 + j];
                }
                sum += Float.float16ToFloat(GgmlOracle.getShort(w, o)) * dy * (int) isum;
                mins += Float.float16ToFloat(GgmlOracle.getShort(w, o + 2)) * dy * msum;
            }
        }
        return sum - mins;
    }

    /** Q3_K's sixteen lanes of {@code fma(exact lane integer, d·dy, lane)}, then the fixed lane tree. */
    private static float q3kLaneOrder(byte[] w, int off, int cols, GgmlOracle.Q8Row y) {
        float[] lanes = new float[16];
        for (int b = 0; b < cols / 256; b++) {
            int o = off + b * GgmlType.Q3_K.typeSize();
            byte[] values = GgmlOracle.unpackValues(GgmlType.Q3_K, w, o);
            int[] scales = GgmlOracle.subBlockScales(GgmlType.Q3_K, w, o);
            float d = Float.float16ToFloat(GgmlOracle.getShort(w, o + 108)) * y.d()[b];
            for (int i = 0; i < 16; i++) {
                long isum = 0;
                for (int j = 0; j < 16; j++) {
                    isum += (long) scales[j] * values[16 * j + i] * y.qs()[b * 256 + 16 * j + i];
                }
                lanes[i] = Math.fma((float) isum, d, lanes[i]);
            }
        }
        return Lanes.sum(lanes, 0);
    }

    /**
     * Q2_K's sixteen lanes of {@code fma(exact lane integer, d·dy, lane)}, the fixed lane tree, minus the
     * super-blocks' {@code dmin·dy·msum} summed in order.
     */
    private static float q2kLaneOrder(byte[] w, int off, int cols, GgmlOracle.Q8Row y) {
        float[] lanes = new float[16];
        float mins = 0f;
        for (int b = 0; b < cols / 256; b++) {
            int o = off + b * GgmlType.Q2_K.typeSize();
            float dy = y.d()[b];
            int msum = 0;
            for (int j = 0; j < 16; j++) {
                msum += ((w[o + j] & 0xFF) >> 4) * y.bsums()[b * 16 + j];
            }
            mins += Float.float16ToFloat(GgmlOracle.getShort(w, o + 82)) * dy * msum;
            float d = Float.float16ToFloat(GgmlOracle.getShort(w, o + 80)) * dy;
            for (int i = 0; i < 16; i++) {
                long isum = 0;
                for (int j = 0; j < 16; j++) {
                    // value 16j + i = 128k + 32s + l is bits 2s..2s+1 of quant byte 32k + l
                    int v = 16 * j + i;
                    int value = ((w[o + 16 + 32 * (v / 128) + v % 32] & 0xFF) >> (2 * (v % 128 / 32))) & 3;
                    isum += (long) (w[o + j] & 0xF) * value * y.qs()[b * 256 + v];
                }
                lanes[i] = Math.fma((float) isum, d, lanes[i]);
            }
        }
        return Lanes.sum(lanes, 0) - mins;
    }
}
