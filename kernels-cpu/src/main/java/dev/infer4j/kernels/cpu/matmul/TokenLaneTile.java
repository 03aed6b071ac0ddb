package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;

import dev.infer4j.kernels.cpu.BoundedIndex;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Q4_0's many-token kernel for 256-bit registers: tokens across the lanes, weights broadcast, so that a float
 * multiply-add does eight tokens' work and no lane ever needs another.
 *
 * <p>It computes what {@link Q4_0Matmul256#dot} computes for each token, bit for bit. There, a row's group of
 * four blocks leaves sixteen {@link QuadGroups} lane sums, each an integer of eight products, and lane
 * {@code l}'s accumulator takes {@code fma(sum, dx·dy, acc)}, group after group, before {@link Lanes#sum} adds
 * the sixteen lanes. Here lane {@code l}'s sum is eight float multiply-adds of its weights (broadcast from the
 * decoded row) with its quants (eight tokens per vector, {@link PreparedInput#tokenLaneValues}); every product
 * and partial sum is an integer below 2<sup>24</sup>, so the sum is exact in any order and equals the 16-bit
 * kernel's. The scale, the multiply-add into the accumulator and the final tree are the same float operations
 * on the same values, only lane-wise over tokens instead of over a row's lanes.
 *
 * <p>On AVX2 the per-token kernel spends most of its instructions folding 16-bit products across lanes; here
 * eight tokens share each weight broadcast and each step is one multiply-add. Two rows and two token vectors
 * (sixteen tokens) form the register tile: per weight step two quant loads and two broadcasts feed four
 * multiply-adds, and the four running sums, two quant vectors and two broadcasts fit AVX2's sixteen registers.
 * Groups are the outer loop, so one group's quants for the pass (8 KiB) stay in L1 while every row of the task
 * passes; the accumulators (sixteen lane vectors per row and token vector) live in an array between groups.
 */
final class TokenLaneTile {

    /** Tokens per vector: a 256-bit register's floats. */
    static final int TOKENS = Lanes256.LANES;
    /** Token vectors per pass over a task's rows. */
    private static final int VECTORS_PER_PASS = 2;
    /** Floats of a row pair's accumulators for one {@link QuadGroups} lane: two rows by two token vectors. */
    private static final int LANE_ACCUMULATORS = 2 * VECTORS_PER_PASS * TOKENS;
    /** Floats of a row pair's accumulators: lane by lane, row A's two token vectors, then row B's. */
    private static final int PAIR_ACCUMULATORS = QuadGroups.LANES * LANE_ACCUMULATORS;
    /** Where lane {@code l}'s first weight sits in a decoded group: its block's start plus {@code l mod 4}. */
    private static final int[] LANE_START = new int[QuadGroups.LANES];
    /** The block (0..3 within its group) whose scale lane {@code l} takes. */
    private static final int[] LANE_BLOCK = new int[QuadGroups.LANES];

    static {
        for (int l = 0; l < QuadGroups.LANES; l++) {
            LANE_BLOCK[l] = QuadGroups.blockOfLane(l);
            LANE_START[l] = LANE_BLOCK[l] * 32 + l % 4;
        }
    }

    private TokenLaneTile() {
    }

    /** Token vectors a batch of {@code tokens} fills, the last one padded. */
    static int vectors(int tokens) {
        return (tokens + TOKENS - 1) / TOKENS;
    }

    /**
     * Token vectors in the pass that holds token {@code t}: two, or one for an odd last vector. A pass's
     * {@link PreparedInput#tokenLaneValues} interleave its vectors, so that one index walks both.
     */
    static int passWidth(int t, int tokens) {
        return Math.min(VECTORS_PER_PASS, vectors(tokens) - t / TOKENS / VECTORS_PER_PASS * VECTORS_PER_PASS);
    }

    /** Floats of {@link PreparedInput#tokenLaneScales} for {@code tokens} tokens of {@code groups} groups. */
    static int scalesFor(int tokens, int groups) {
        return vectors(tokens) * groups * QuadGroups.LANES * TOKENS;
    }

    /**
     * Where token {@code t}'s scale for group {@code g}, lane {@code l} sits: passes of two token vectors one
     * after the other; within a pass, group by group and lane by lane, the pass's vectors side by side.
     */
    static int scaleIndex(int t, int g, int l, int tokens, int groups) {
        int pass = t / (TOKENS * VECTORS_PER_PASS);
        int width = passWidth(t, tokens);
        return pass * groups * QuadGroups.LANES * TOKENS * VECTORS_PER_PASS
                + (g * QuadGroups.LANES + l) * width * TOKENS + t % (TOKENS * VECTORS_PER_PASS);
    }

    /**
     * Where the quant for step {@code k = 0} of the lane whose scale is at {@code scaleIndex} sits, for token
     * {@code t} in a pass of {@code width} vectors; step {@code k} is {@code k·width·8} further. A lane's quants
     * start at eight times its scales' start, so a kernel finds the scales at its quant index divided by 8.
     */
    static int valueIndex(int scaleIndex, int t, int width) {
        int inPass = t % (TOKENS * VECTORS_PER_PASS);
        return 8 * (scaleIndex - inPass) + inPass;
    }

    /** Floats of scratch {@link #rows} needs for {@code rows} rows. */
    static int scratch(int rows) {
        return (rows + 1) / 2 * PAIR_ACCUMULATORS;
    }

    /**
     * Rows {@code 0..rows-1} decoded in natural order ({@code Q4_0Matmul256.decodeRow}: row {@code i}'s weights
     * minus 8 at {@code values[i·cols ..]}, its block scales at {@code scales[i·cols/32 ..]}) times every token of
     * {@code in}, whose {@link PreparedInput#prepareTokenLanes token lanes} are ready and whose columns are whole
     * groups. Row {@code i}'s result for token {@code t} goes to {@code out[outIndex + i + t·outStride]}.
     * {@code acc} holds {@link #scratch scratch(rows)} floats, {@code sums} {@value #TOKENS}.
     */
    static void rows(float[] values, float[] scales, int rows, PreparedInput in, float[] acc, float[] sums,
                     float[] out, int outIndex, int outStride) {
        int cols = in.cols();
        int groups = cols / 128;
        int tokens = in.tokens();
        float[] x = in.tokenLaneValues();
        float[] dy = in.tokenLaneScales();
        for (int first = 0; first < tokens; first += TOKENS * VECTORS_PER_PASS) {
            int width = passWidth(first, tokens);
            int passScales = scaleIndex(first, 0, 0, tokens, groups);
            Arrays.fill(acc, 0, scratch(rows), 0f);
            for (int g = 0; g < groups; g++) {
                int xg = 8 * (passScales + g * QuadGroups.LANES * width * TOKENS);
                for (int r = 0; r < rows; r += 2) {
                    // an odd last row runs beside itself; the pair's second sums are then never read
                    int other = r + 1 < rows ? r + 1 : r;
                    int wa = r * cols + g * 128;
                    int wb = other * cols + g * 128;
                    int da = r * (cols / 32) + g * QuadGroups.BLOCKS;
                    int db = other * (cols / 32) + g * QuadGroups.BLOCKS;
                    int pair = r / 2 * PAIR_ACCUMULATORS;
                    if (width == 2) {
                        twoRowsTwoVectors(values, wa, wb, scales, da, db, x, xg, dy, acc, pair);
                    } else {
                        twoRowsOneVector(values, wa, wb, scales, da, db, x, xg, dy, acc, pair);
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int u = 0; u < width; u++) {
                    laneSums(acc, r / 2 * PAIR_ACCUMULATORS + r % 2 * 2 * TOKENS + u * TOKENS).intoArray(sums, 0);
                    int t0 = first + u * TOKENS;
                    for (int j = 0; j < TOKENS && t0 + j < tokens; j++) {
                        out[outIndex + r + (t0 + j) * outStride] = sums[j];
                    }
                }
            }
        }
    }

    /** {@link Lanes#sum}'s tree over the sixteen lane vectors from {@code acc[at]}, for eight tokens at once. */
    private static FloatVector laneSums(float[] acc, int at) {
        FloatVector s0 = lane(acc, at, 0).add(lane(acc, at, 8));
        FloatVector s1 = lane(acc, at, 1).add(lane(acc, at, 9));
        FloatVector s2 = lane(acc, at, 2).add(lane(acc, at, 10));
        FloatVector s3 = lane(acc, at, 3).add(lane(acc, at, 11));
        FloatVector s4 = lane(acc, at, 4).add(lane(acc, at, 12));
        FloatVector s5 = lane(acc, at, 5).add(lane(acc, at, 13));
        FloatVector s6 = lane(acc, at, 6).add(lane(acc, at, 14));
        FloatVector s7 = lane(acc, at, 7).add(lane(acc, at, 15));
        return s0.add(s4).add(s2.add(s6)).add(s1.add(s5).add(s3.add(s7)));
    }

    private static FloatVector lane(float[] acc, int at, int lane) {
        return FloatVector.fromArray(F, acc, at + lane * LANE_ACCUMULATORS);
    }

    /**
     * One group of rows A (weights {@code w[wa..]}, scales {@code dx[da..]}) and B times a pass of two token
     * vectors whose group starts at {@code x[xg]}, into the pair's accumulators from {@code acc[pair]}. One index
     * walks the lanes: quants at {@code i}, scales at {@code i/8}, accumulators at {@code c}.
     */
    private static void twoRowsTwoVectors(float[] w, int wa, int wb, float[] dx, int da, int db, float[] x, int xg,
                                          float[] dy, float[] acc, int pair) {
        int xBase = BoundedIndex.index(xg);
        int accBase = BoundedIndex.index(pair);
        for (int l = 0; l < QuadGroups.LANES; l++) {
            int i = xBase + l * 8 * 2 * TOKENS;
            int c = accBase + l * LANE_ACCUMULATORS;
            int oa = wa + LANE_START[l];
            int ob = wb + LANE_START[l];
            // even and odd steps in separate sums (joined exactly at the end): four chains of eight dependent
            // multiply-adds left the FMA units waiting on latency
            FloatVector p = FloatVector.fromArray(F, x, i);
            FloatVector q = FloatVector.fromArray(F, x, i + TOKENS);
            FloatVector a0 = p.mul(FloatVector.broadcast(F, w[oa]));
            FloatVector a1 = q.mul(FloatVector.broadcast(F, w[oa]));
            FloatVector b0 = p.mul(FloatVector.broadcast(F, w[ob]));
            FloatVector b1 = q.mul(FloatVector.broadcast(F, w[ob]));
            p = FloatVector.fromArray(F, x, i + 2 * TOKENS);
            q = FloatVector.fromArray(F, x, i + 3 * TOKENS);
            FloatVector c0 = p.mul(FloatVector.broadcast(F, w[oa + 4]));
            FloatVector c1 = q.mul(FloatVector.broadcast(F, w[oa + 4]));
            FloatVector d0 = p.mul(FloatVector.broadcast(F, w[ob + 4]));
            FloatVector d1 = q.mul(FloatVector.broadcast(F, w[ob + 4]));
            for (int k = 2; k < 8; k += 2) {
                int even = i + 2 * k * TOKENS;
                p = FloatVector.fromArray(F, x, even);
                q = FloatVector.fromArray(F, x, even + TOKENS);
                a0 = p.fma(FloatVector.broadcast(F, w[oa + 4 * k]), a0);
                a1 = q.fma(FloatVector.broadcast(F, w[oa + 4 * k]), a1);
                b0 = p.fma(FloatVector.broadcast(F, w[ob + 4 * k]), b0);
                b1 = q.fma(FloatVector.broadcast(F, w[ob + 4 * k]), b1);
                p = FloatVector.fromArray(F, x, even + 2 * TOKENS);
                q = FloatVector.fromArray(F, x, even + 3 * TOKENS);
                c0 = p.fma(FloatVector.broadcast(F, w[oa + 4 * k + 4]), c0);
                c1 = q.fma(FloatVector.broadcast(F, w[oa + 4 * k + 4]), c1);
                d0 = p.fma(FloatVector.broadcast(F, w[ob + 4 * k + 4]), d0);
                d1 = q.fma(FloatVector.broadcast(F, w[ob + 4 * k + 4]), d1);
            }
            a0 = a0.add(c0);
            a1 = a1.add(c1);
            b0 = b0.add(d0);
            b1 = b1.add(d1);
            FloatVector scaleA = FloatVector.broadcast(F, dx[da + LANE_BLOCK[l]]);
            FloatVector scaleB = FloatVector.broadcast(F, dx[db + LANE_BLOCK[l]]);
            int y = i >> 3;
            FloatVector y0 = FloatVector.fromArray(F, dy, y);
            FloatVector y1 = FloatVector.fromArray(F, dy, y + 8);
            a0.fma(scaleA.mul(y0), FloatVector.fromArray(F, acc, c)).intoArray(acc, c);
            a1.fma(scaleA.mul(y1), FloatVector.fromArray(F, acc, c + 8)).intoArray(acc, c + 8);
            b0.fma(scaleB.mul(y0), FloatVector.fromArray(F, acc, c + 16)).intoArray(acc, c + 16);
            b1.fma(scaleB.mul(y1), FloatVector.fromArray(F, acc, c + 24)).intoArray(acc, c + 24);
        }
    }

    /** {@link #twoRowsTwoVectors} for a pass of a single token vector (a batch's odd last one). */
    private static void twoRowsOneVector(float[] w, int wa, int wb, float[] dx, int da, int db, float[] x, int xg,
                                         float[] dy, float[] acc, int pair) {
        int xBase = BoundedIndex.index(xg);
        int accBase = BoundedIndex.index(pair);
        for (int l = 0; l < QuadGroups.LANES; l++) {
            int i = xBase + l * 8 * TOKENS;
            int c = accBase + l * LANE_ACCUMULATORS;
            int oa = wa + LANE_START[l];
            int ob = wb + LANE_START[l];
            FloatVector a0 = FloatVector.zero(F);
            FloatVector b0 = a0;
            for (int k = 0; k < 8; k++) {
                FloatVector p = FloatVector.fromArray(F, x, i + k * TOKENS);
                a0 = p.fma(FloatVector.broadcast(F, w[oa + 4 * k]), a0);
                b0 = p.fma(FloatVector.broadcast(F, w[ob + 4 * k]), b0);
            }
            FloatVector y0 = FloatVector.fromArray(F, dy, i >> 3);
            a0.fma(FloatVector.broadcast(F, dx[da + LANE_BLOCK[l]]).mul(y0), FloatVector.fromArray(F, acc, c))
                    .intoArray(acc, c);
            b0.fma(FloatVector.broadcast(F, dx[db + LANE_BLOCK[l]]).mul(y0), FloatVector.fromArray(F, acc, c + 16))
                    .intoArray(acc, c + 16);
        }
    }
}
