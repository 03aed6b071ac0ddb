package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;

import jdk.incubator.vector.FloatVector;

/**
 * Q4_0's many-token kernel: two weight rows, decoded once into the {@link QuadGroups} layout, times every token
 * of the batch, one group of four blocks at a time.
 *
 * <p>A decoded group is eight vectors; vector {@code t}, lane {@code l} holds weight {@code (l mod 4) + 4t} of the
 * lane's block, minus 8, as a float, and {@link PreparedInput#tileValues} holds the quants in the same places.
 * Eight float multiply-adds leave in each lane the sum {@code Q4_0Matmul} folds out of its 16-bit lanes: the
 * same integer (at most 8·8·127, and every partial sum an integer too, so exact in float in any order), followed
 * by the same {@code acc = fma(sum, dx·dy, acc)}, group after group. A token's result is therefore the per-token
 * kernel's, bit for bit, at ten float operations per four blocks, where a block at a time needs three per block
 * plus a scale.
 *
 * <p>The loop is weight-stationary: a group's sixteen weight vectors stay in registers while every token passes,
 * and each token's accumulator lives in an array between groups (one load and one store per group). Walking all
 * tokens of a group with one index, {@code tileValues} being stored group by group, lets C2 address every load
 * with a constant displacement; a tile of four tokens each with its own index spent more instructions on
 * addresses than on arithmetic and ran at 16 G multiply-adds/s.
 */
final class FoldedTile {

    /** Floats of a decoded group: eight vectors of sixteen lanes. */
    static final int GROUP_VALUES = 8 * QuadGroups.LANES;

    private FoldedTile() {
    }

    /** Tokens a tile takes at once: their activations for one group (16 KiB) and accumulators stay in L1. */
    static final int TOKENS_PER_PASS = 32;

    /**
     * Rows {@code 0..rows-1} decoded by {@code Q4_0Matmul.decodeRow} (each {@code valuesPerRow} values and
     * {@code scalesPerRow} lane scales apart) times every token of {@code in}, {@value #TOKENS_PER_PASS} tokens
     * a pass, two rows at a time (an odd last row paired with itself); row {@code i}'s result for token
     * {@code t} goes to {@code out[outIndex + i + t*outStride]}. {@code accA} and {@code accB} hold
     * {@code 16·TOKENS_PER_PASS} floats.
     */
    static void rows(float[] values, int valuesPerRow, float[] scales, int scalesPerRow, int rows, PreparedInput in,
                     float[] accA, float[] accB, float[] out, int outIndex, int outStride) {
        for (int first = 0; first < in.tokens(); first += TOKENS_PER_PASS) {
            int count = Math.min(TOKENS_PER_PASS, in.tokens() - first);
            for (int r = 0; r < rows; r += 2) {
                int other = Math.min(r + 1, rows - 1);
                twoRows(values, r * valuesPerRow, other * valuesPerRow, scales, r * scalesPerRow,
                        other * scalesPerRow, in, first, count, accA, accB, out, outIndex + r, outIndex + other,
                        outStride);
            }
        }
    }

    /**
     * Decoded rows at {@code values[a..]} and {@code values[b..]} (with their lane scales at {@code scales[sa..]}
     * and {@code scales[sb..]}; {@code b} may equal {@code a}) times tokens {@code first .. first+count-1} of
     * {@code in}. Token {@code t}'s results go to {@code out[outA + t*outStride]} and
     * {@code out[outB + t*outStride]}. {@code accA} and {@code accB} are scratch of at least {@code 16·count}
     * floats.
     */
    private static void twoRows(float[] values, int a, int b, float[] scales, int sa, int sb, PreparedInput in, int first,
                        int count, float[] accA, float[] accB, float[] out, int outA, int outB, int outStride) {
        int tokens = in.tokens();
        int groups = QuadGroups.groups(in.cols());
        float[] x = in.tileValues();
        float[] dy = in.tileScales();
        java.util.Arrays.fill(accA, 0, count * QuadGroups.LANES, 0f);
        java.util.Arrays.fill(accB, 0, count * QuadGroups.LANES, 0f);
        for (int g = 0; g < groups; g++) {
            groupTimesTokens(values, a + g * GROUP_VALUES, b + g * GROUP_VALUES, scales, sa + g * QuadGroups.LANES,
                    sb + g * QuadGroups.LANES, x, dy, g * tokens + first, count, accA, accB);
        }
        for (int t = 0; t < count; t++) {
            out[outA + (first + t) * outStride] = Lanes.sum(accA, t * QuadGroups.LANES);
            out[outB + (first + t) * outStride] = Lanes.sum(accB, t * QuadGroups.LANES);
        }
    }

    /** One group of both rows times tokens {@code 0..tokens-1}, whose tile data start at tile index {@code first}. */
    private static void groupTimesTokens(float[] values, int a, int b, float[] scales, int sa, int sb, float[] x,
                                         float[] dy, int first, int tokens, float[] accA, float[] accB) {
        FloatVector a0 = FloatVector.fromArray(F, values, a);
        FloatVector a1 = FloatVector.fromArray(F, values, a + 16);
        FloatVector a2 = FloatVector.fromArray(F, values, a + 32);
        FloatVector a3 = FloatVector.fromArray(F, values, a + 48);
        FloatVector a4 = FloatVector.fromArray(F, values, a + 64);
        FloatVector a5 = FloatVector.fromArray(F, values, a + 80);
        FloatVector a6 = FloatVector.fromArray(F, values, a + 96);
        FloatVector a7 = FloatVector.fromArray(F, values, a + 112);
        FloatVector b0 = FloatVector.fromArray(F, values, b);
        FloatVector b1 = FloatVector.fromArray(F, values, b + 16);
        FloatVector b2 = FloatVector.fromArray(F, values, b + 32);
        FloatVector b3 = FloatVector.fromArray(F, values, b + 48);
        FloatVector b4 = FloatVector.fromArray(F, values, b + 64);
        FloatVector b5 = FloatVector.fromArray(F, values, b + 80);
        FloatVector b6 = FloatVector.fromArray(F, values, b + 96);
        FloatVector b7 = FloatVector.fromArray(F, values, b + 112);
        FloatVector dxA = FloatVector.fromArray(F, scales, sa);
        FloatVector dxB = FloatVector.fromArray(F, scales, sb);
        int start = first * GROUP_VALUES;
        int end = start + tokens * GROUP_VALUES;
        for (int i = start; i < end; i += GROUP_VALUES) {
            int lane = (i - start) >> 3;
            FloatVector x0 = FloatVector.fromArray(F, x, i);
            FloatVector x1 = FloatVector.fromArray(F, x, i + 16);
            FloatVector x2 = FloatVector.fromArray(F, x, i + 32);
            FloatVector x3 = FloatVector.fromArray(F, x, i + 48);
            FloatVector x4 = FloatVector.fromArray(F, x, i + 64);
            FloatVector x5 = FloatVector.fromArray(F, x, i + 80);
            FloatVector x6 = FloatVector.fromArray(F, x, i + 96);
            FloatVector x7 = FloatVector.fromArray(F, x, i + 112);
            FloatVector s = FloatVector.fromArray(F, dy, i >> 3);
            FloatVector pa = a7.fma(x7, a6.fma(x6, a5.fma(x5, a4.fma(x4, a3.fma(x3, a2.fma(x2, a1.fma(x1, a0.mul(x0))))))));
            FloatVector pb = b7.fma(x7, b6.fma(x6, b5.fma(x5, b4.fma(x4, b3.fma(x3, b2.fma(x2, b1.fma(x1, b0.mul(x0))))))));
            pa.fma(dxA.mul(s), FloatVector.fromArray(F, accA, lane)).intoArray(accA, lane);
            pb.fma(dxB.mul(s), FloatVector.fromArray(F, accB, lane)).intoArray(accB, lane);
        }
    }
}
