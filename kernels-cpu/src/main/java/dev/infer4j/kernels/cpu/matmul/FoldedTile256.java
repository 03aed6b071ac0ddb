package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;

import jdk.incubator.vector.FloatVector;

/**
 * {@link FoldedTile} for 256-bit registers (AVX2), giving its results bit for bit: rows decoded by
 * {@link Q4_0Matmul256#decodeRow} (the same layout) times every token of the batch, each of a group's sixteen
 * lanes getting the same multiply, seven fused multiply-adds in the same order, and the same
 * {@code acc = fma(sum, dx·dy, acc)}, the accumulators then summed by the same {@link Lanes#sum}.
 *
 * <p>What changes is the loop's shape. {@link FoldedTile} keeps two rows' sixteen 512-bit weight vectors in
 * registers while the tokens pass; in eight-lane vectors that is 32, and AVX2 has 16 registers. Here a pass
 * holds one row's half group (lanes 0–7 or 8–15: eight weight vectors and the lane scales) and the tokens'
 * activations are loaded straight into the multiply-adds, one load per multiply-add. Four tokens go side by side
 * so that four independent chains of eight dependent multiply-adds cover the FMA latency (same-JVM, one thread,
 * 32 tokens: 1.1–1.4x one token a step). The two rows of a pair and the two halves of a group run one after
 * another over the same group of activations (16 KiB for a pass of 32 tokens), so it is read from L2 once per
 * row pair, as in {@link FoldedTile}, and from L1 after.
 */
final class FoldedTile256 {

    /** Lanes at which the upper half of a group's sixteen starts. */
    private static final int HIGH = 8;

    private FoldedTile256() {
    }

    /**
     * {@link FoldedTile#rows}: rows {@code 0..rows-1} decoded by {@code Q4_0Matmul256.decodeRow} times every
     * token of {@code in}, {@value FoldedTile#TOKENS_PER_PASS} tokens a pass, two rows at a time (an odd last row
     * alone); row {@code i}'s result for token {@code t} goes to {@code out[outIndex + i + t*outStride]}.
     * {@code accA} and {@code accB} hold {@code 16·TOKENS_PER_PASS} floats.
     */
    static void rows(float[] values, int valuesPerRow, float[] scales, int scalesPerRow, int rows, PreparedInput in,
                     float[] accA, float[] accB, float[] out, int outIndex, int outStride) {
        for (int first = 0; first < in.tokens(); first += FoldedTile.TOKENS_PER_PASS) {
            int count = Math.min(FoldedTile.TOKENS_PER_PASS, in.tokens() - first);
            for (int r = 0; r < rows; r += 2) {
                int other = Math.min(r + 1, rows - 1);
                twoRows(values, r * valuesPerRow, other * valuesPerRow, scales, r * scalesPerRow,
                        other * scalesPerRow, in, first, count, accA, accB, out, outIndex + r, outIndex + other,
                        outStride);
            }
        }
    }

    /**
     * Decoded rows at {@code values[a..]} and {@code values[b..]} (lane scales at {@code scales[sa..]} and
     * {@code scales[sb..]}; {@code b} may equal {@code a}, and is then done once) times tokens
     * {@code first .. first+count-1} of {@code in}, to {@code out[outA + t*outStride]} and
     * {@code out[outB + t*outStride]}.
     */
    private static void twoRows(float[] values, int a, int b, float[] scales, int sa, int sb, PreparedInput in,
                                int first, int count, float[] accA, float[] accB, float[] out, int outA, int outB,
                                int outStride) {
        int tokens = in.tokens();
        int groups = QuadGroups.groups(in.cols());
        float[] x = in.tileValues();
        float[] dy = in.tileScales();
        boolean pair = b != a;
        java.util.Arrays.fill(accA, 0, count * QuadGroups.LANES, 0f);
        if (pair) {
            java.util.Arrays.fill(accB, 0, count * QuadGroups.LANES, 0f);
        }
        for (int g = 0; g < groups; g++) {
            int va = a + g * FoldedTile.GROUP_VALUES;
            int vb = b + g * FoldedTile.GROUP_VALUES;
            int ga = sa + g * QuadGroups.LANES;
            int gb = sb + g * QuadGroups.LANES;
            int tile = g * tokens + first;
            halfTimesTokens(values, va, scales, ga, x, dy, tile, count, accA, 0);
            halfTimesTokens(values, va + HIGH, scales, ga + HIGH, x, dy, tile, count, accA, HIGH);
            if (pair) {
                halfTimesTokens(values, vb, scales, gb, x, dy, tile, count, accB, 0);
                halfTimesTokens(values, vb + HIGH, scales, gb + HIGH, x, dy, tile, count, accB, HIGH);
            }
        }
        for (int t = 0; t < count; t++) {
            float ra = Lanes.sum(accA, t * QuadGroups.LANES);
            out[outA + (first + t) * outStride] = ra;
            out[outB + (first + t) * outStride] = pair ? Lanes.sum(accB, t * QuadGroups.LANES) : ra;
        }
    }

    /**
     * Lanes {@code half .. half+7} of one row's group (its eight weight vectors at {@code values[v..]}, with
     * stride 16, and lane scales at {@code scales[s..]}) times tokens {@code 0..tokens-1}, whose tile data start
     * at tile index {@code first}, into {@code acc[16t + half ..]}.
     */
    private static void halfTimesTokens(float[] values, int v, float[] scales, int s, float[] x, float[] dy,
                                        int first, int tokens, float[] acc, int half) {
        FloatVector w0 = FloatVector.fromArray(F, values, v);
        FloatVector w1 = FloatVector.fromArray(F, values, v + 16);
        FloatVector w2 = FloatVector.fromArray(F, values, v + 32);
        FloatVector w3 = FloatVector.fromArray(F, values, v + 48);
        FloatVector w4 = FloatVector.fromArray(F, values, v + 64);
        FloatVector w5 = FloatVector.fromArray(F, values, v + 80);
        FloatVector w6 = FloatVector.fromArray(F, values, v + 96);
        FloatVector w7 = FloatVector.fromArray(F, values, v + 112);
        FloatVector dx = FloatVector.fromArray(F, scales, s);
        int start = first * FoldedTile.GROUP_VALUES + half;
        int end = start + tokens * FoldedTile.GROUP_VALUES;
        int i = start;
        // Four tokens a step: four independent chains of eight dependent multiply-adds, so that enough are in
        // flight to cover the FMA latency (one token a step left most of the time waiting on its chain).
        for (; i + 3 * FoldedTile.GROUP_VALUES < end; i += 4 * FoldedTile.GROUP_VALUES) {
            // token t's lanes: activations at i (+16k), lane scales at 16(first+t) + half, accumulator at 16t + half
            int lane = ((i - start) >> 3) + half;
            int scale = ((i - half) >> 3) + half;
            FloatVector p0 = w7.fma(FloatVector.fromArray(F, x, i + 112),
                    w6.fma(FloatVector.fromArray(F, x, i + 96),
                    w5.fma(FloatVector.fromArray(F, x, i + 80),
                    w4.fma(FloatVector.fromArray(F, x, i + 64),
                    w3.fma(FloatVector.fromArray(F, x, i + 48),
                    w2.fma(FloatVector.fromArray(F, x, i + 32),
                    w1.fma(FloatVector.fromArray(F, x, i + 16),
                    w0.mul(FloatVector.fromArray(F, x, i)))))))));
            FloatVector p1 = w7.fma(FloatVector.fromArray(F, x, i + 240),
                    w6.fma(FloatVector.fromArray(F, x, i + 224),
                    w5.fma(FloatVector.fromArray(F, x, i + 208),
                    w4.fma(FloatVector.fromArray(F, x, i + 192),
                    w3.fma(FloatVector.fromArray(F, x, i + 176),
                    w2.fma(FloatVector.fromArray(F, x, i + 160),
                    w1.fma(FloatVector.fromArray(F, x, i + 144),
                    w0.mul(FloatVector.fromArray(F, x, i + 128)))))))));
            FloatVector p2 = w7.fma(FloatVector.fromArray(F, x, i + 368),
                    w6.fma(FloatVector.fromArray(F, x, i + 352),
                    w5.fma(FloatVector.fromArray(F, x, i + 336),
                    w4.fma(FloatVector.fromArray(F, x, i + 320),
                    w3.fma(FloatVector.fromArray(F, x, i + 304),
                    w2.fma(FloatVector.fromArray(F, x, i + 288),
                    w1.fma(FloatVector.fromArray(F, x, i + 272),
                    w0.mul(FloatVector.fromArray(F, x, i + 256)))))))));
            FloatVector p3 = w7.fma(FloatVector.fromArray(F, x, i + 496),
                    w6.fma(FloatVector.fromArray(F, x, i + 480),
                    w5.fma(FloatVector.fromArray(F, x, i + 464),
                    w4.fma(FloatVector.fromArray(F, x, i + 448),
                    w3.fma(FloatVector.fromArray(F, x, i + 432),
                    w2.fma(FloatVector.fromArray(F, x, i + 416),
                    w1.fma(FloatVector.fromArray(F, x, i + 400),
                    w0.mul(FloatVector.fromArray(F, x, i + 384)))))))));
            p0.fma(dx.mul(FloatVector.fromArray(F, dy, scale)), FloatVector.fromArray(F, acc, lane))
                    .intoArray(acc, lane);
            p1.fma(dx.mul(FloatVector.fromArray(F, dy, scale + 16)), FloatVector.fromArray(F, acc, lane + 16))
                    .intoArray(acc, lane + 16);
            p2.fma(dx.mul(FloatVector.fromArray(F, dy, scale + 32)), FloatVector.fromArray(F, acc, lane + 32))
                    .intoArray(acc, lane + 32);
            p3.fma(dx.mul(FloatVector.fromArray(F, dy, scale + 48)), FloatVector.fromArray(F, acc, lane + 48))
                    .intoArray(acc, lane + 48);
        }
        for (; i < end; i += FoldedTile.GROUP_VALUES) {
            int lane = ((i - start) >> 3) + half;
            FloatVector p = w7.fma(FloatVector.fromArray(F, x, i + 112),
                    w6.fma(FloatVector.fromArray(F, x, i + 96),
                    w5.fma(FloatVector.fromArray(F, x, i + 80),
                    w4.fma(FloatVector.fromArray(F, x, i + 64),
                    w3.fma(FloatVector.fromArray(F, x, i + 48),
                    w2.fma(FloatVector.fromArray(F, x, i + 32),
                    w1.fma(FloatVector.fromArray(F, x, i + 16),
                    w0.mul(FloatVector.fromArray(F, x, i)))))))));
            p.fma(dx.mul(FloatVector.fromArray(F, dy, ((i - half) >> 3) + half)), FloatVector.fromArray(F, acc, lane))
                    .intoArray(acc, lane);
        }
    }
}
