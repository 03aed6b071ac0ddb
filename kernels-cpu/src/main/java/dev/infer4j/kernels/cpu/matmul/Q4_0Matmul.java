package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.S16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0 weights (18-byte blocks: F16 scale, 16 bytes of nibbles; low nibbles are values 0..15, high nibbles
 * 16..31, each minus 8) times Q8_0 activations, four blocks at a time in the lane layout of {@link QuadGroups}.
 *
 * <p>Each block's products are formed in sixteen 16-bit integer lanes, lane j holding
 * {@code lo_j·a_j + hi_j·a_{j+16}} for the raw nibbles, computed as {@code n_j·a_j + hi_j·(a_{j+16} − 16a_j)} from
 * the whole byte {@code n_j} and the prepared quants' folded high half ({@link PreparedInput#quadQuants}), which
 * saves masking the low nibble. Two rounds of blends, a half swap and adds fold the four
 * blocks' 64 lanes into one vector of sixteen, four lanes per block, each the sum of the eight products whose
 * index is that lane's residue mod 4; the prepared {@link PreparedInput#quadBias} then takes off the nibbles'
 * −8 for all four blocks at once. Integer arithmetic is exact (a folded lane is at most 8·15·127 before the bias
 * and 8·8·127 after), so the lanes are the true integer partial sums. One conversion to float and one fused
 * multiply-add with the lanes' {@code dx·dy} then serve four blocks, where a block at a time needs four of each:
 * that, and a group's four scales converted in one vector instead of one by one, is what the fold buys.
 *
 * <p>{@link #dot4} decodes a group's nibbles and scales once for four tokens; from
 * {@link BlockMatmul#DECODE_MIN_TOKENS} tokens on, rows are decoded once per task into {@link FoldedTile}'s
 * layout instead. Same-JVM A/B against the one-block-at-a-time kernel (2048×2048, one thread, cache-resident):
 * 1.16–1.29x at one token, 1.15–1.18x at four and five, 0.99–1.07x at eight, 1.25x at 32, 1.3–1.4x at 128;
 * streaming 5632×2048 from memory on two threads, one token: 0.97–1.10x, median 1.08x.
 */
final class Q4_0Matmul extends BlockMatmul implements RowDecoder {

    private static final int BLOCK_BYTES = 18;
    private static final int GROUP_BYTES = QuadGroups.BLOCKS * BLOCK_BYTES;
    private static final VectorSpecies<Short> S32 = ShortVector.SPECIES_512;
    /** Prepared quants between one group of a token and its next ({@link QuadGroups#slot}): four tokens' 128. */
    private static final int QUAD_STRIDE = 4 * 128;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_512;
    /**
     * For {@link #decodeRow}: of a group's bytes read at offsets 2 (indices 0..63) and 8 (64..127), the 64 nibble
     * bytes in {@link FoldedTile} order, sixteen per {@code t}: bytes {@code 4t..4t+3} of blocks 0, 2, 1 and 3.
     */
    private static final ByteVector TILE_ORDER = tileOrder();
    /** Blocks 0 and 1 of a pair: lanes 8..15 come from the second operand of a blend. */
    private static final VectorMask<Short> UPPER_HALF = VectorMask.fromLong(S16, 0xFF00L);
    /** Lanes 4..7 and 12..15: the second pair's share of each half after the second fold. */
    private static final VectorMask<Short> ODD_QUARTERS = VectorMask.fromLong(S16, 0xF0F0L);
    private static final VectorShuffle<Short> SWAP_HALVES =
            VectorShuffle.fromValues(S16, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
    private static final VectorShuffle<Short> SWAP_QUARTERS =
            VectorShuffle.fromValues(S16, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);
    /**
     * From 64 bytes read at a group's first byte (as 32 shorts; the group has 72), its four F16 scales (shorts
     * 0, 9, 18 and 27) spread to the sixteen lanes by {@link QuadGroups#blockOfLane}; the upper sixteen lanes
     * are unused. The kernels then convert them exactly with {@link Lanes#halfFloats}'s bit moves, written out
     * in each loop: a small helper returning the vector was left out of line in {@link #dot} and boxed it
     * (same-JVM A/B: 0.35–0.44x at one token, with a GC every few calls).
     */
    private static final VectorShuffle<Short> GROUP_SCALES = VectorShuffle.fromValues(S32,
            0, 0, 0, 0, 18, 18, 18, 18, 9, 9, 9, 9, 27, 27, 27, 27,
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static ByteVector tileOrder() {
        byte[] index = new byte[64];
        int[] start = {0, 18, 36, 64 + 48}; // block k's first nibble byte in the two reads
        for (int t = 0; t < 4; t++) {
            for (int l = 0; l < QuadGroups.LANES; l++) {
                index[16 * t + l] = (byte) (start[QuadGroups.blockOfLane(l)] + 4 * t + l % 4);
            }
        }
        return ByteVector.fromArray(B64, index, 0);
    }

    Q4_0Matmul(WorkerPool pool) {
        super(GgmlType.Q4_0, ActivationFormat.Q8_0, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int full = cols / 32 / QuadGroups.BLOCKS;
        short[] a = in.quadQuants();
        short[] bias = in.quadBias();
        float[] dy = in.quadScales();
        int start = QuadGroups.slot(token, 0, QuadGroups.groups(cols), in.tokens()) * 128;
        int stride = QuadGroups.quadWidth(token, in.tokens()) * 128;
        int end = start + full * stride;
        FloatVector acc = FloatVector.zero(F);
        long o = rowOffset;
        for (int q = start; q < end; q += stride, o += GROUP_BYTES) {
            int gl = q >> 3;
            ShortVector n0 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n3 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 3 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector p0 = n0.mul(ShortVector.fromArray(S16, a, q))
                    .add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1 = n1.mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2 = n2.mul(ShortVector.fromArray(S16, a, q + 64))
                    .add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3 = n3.mul(ShortVector.fromArray(S16, a, q + 96))
                    .add(n3.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01 = p0.blend(p1, UPPER_HALF).add(p1.blend(p0, UPPER_HALF).rearrange(SWAP_HALVES));
            ShortVector x23 = p2.blend(p3, UPPER_HALF).add(p3.blend(p2, UPPER_HALF).rearrange(SWAP_HALVES));
            ShortVector z = x01.blend(x23, ODD_QUARTERS).add(x23.blend(x01, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                    .sub(ShortVector.fromArray(S16, bias, gl));
            acc = ((FloatVector) z.convertShape(VectorOperators.S2F, F, 0))
                    .fma(((FloatVector) ((IntVector) ShortVector.fromMemorySegment(S32, w, o, LE).rearrange(GROUP_SCALES)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000)
                    .reinterpretAsFloats()).mul(0x1p112f).mul(FloatVector.fromArray(F, dy, gl)), acc);
        }
        acc.intoArray(lanes, 0);
        int rest = cols / 32 - full * QuadGroups.BLOCKS;
        if (rest > 0) {
            tailGroup(w, o, rest, a, end, bias, end >> 3, dy, lanes);
        }
        return Lanes.sum(lanes, 0);
    }

    /**
     * A row's last, incomplete group of {@code rest} blocks (1 to 3), added to the accumulator at
     * {@code lanes[0..15]}: the same fold with the absent blocks' products zero, and their scale and bias zero.
     * Kept out of {@link #dot}'s loop method, which C2 compiles better without it.
     */
    private static void tailGroup(MemorySegment w, long o, int rest, short[] a, int q, short[] bias, int gl,
                                  float[] dy, float[] lanes) {
        ShortVector zero = ShortVector.zero(S16);
        ShortVector n0 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
        ShortVector p0 = n0.mul(ShortVector.fromArray(S16, a, q))
                .add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
        ShortVector p1 = zero;
        ShortVector p2 = zero;
        if (rest > 1) {
            ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            p1 = n1.mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
        }
        if (rest > 2) {
            ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            p2 = n2.mul(ShortVector.fromArray(S16, a, q + 64))
                    .add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
        }
        ShortVector x01 = p0.blend(p1, UPPER_HALF).add(p1.blend(p0, UPPER_HALF).rearrange(SWAP_HALVES));
        ShortVector x23 = p2.blend(zero, UPPER_HALF).add(zero.blend(p2, UPPER_HALF).rearrange(SWAP_HALVES));
        ShortVector z = x01.blend(x23, ODD_QUARTERS).add(x23.blend(x01, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                .sub(ShortVector.fromArray(S16, bias, gl));
        for (int l = 0; l < QuadGroups.LANES; l++) {
            int block = QuadGroups.blockOfLane(l);
            lanes[QuadGroups.LANES + l] = block < rest ? half(w, o + (long) block * BLOCK_BYTES) : 0f;
        }
        ((FloatVector) z.convertShape(VectorOperators.S2F, F, 0))
                .fma(FloatVector.fromArray(F, lanes, QuadGroups.LANES).mul(FloatVector.fromArray(F, dy, gl)),
                        FloatVector.fromArray(F, lanes, 0))
                .intoArray(lanes, 0);
    }

    /** {@link #dot}'s arithmetic for each of four tokens; a group's nibbles and scales are read once. */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        if (cols / 32 % QuadGroups.BLOCKS != 0) {
            super.dot4(w, rowOffset, in, token, out, outIndex, outStride, lanes);
            return;
        }
        int full = cols / 32 / QuadGroups.BLOCKS;
        short[] a = in.quadQuants();
        short[] bias = in.quadBias();
        float[] dy = in.quadScales();
        int start = QuadGroups.slot(token, 0, QuadGroups.groups(cols), in.tokens()) * 128;
        int end = start + full * QUAD_STRIDE;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc3 = acc0;
        long o = rowOffset;
        for (int i = start; i < end; i += QUAD_STRIDE, o += GROUP_BYTES) {
            ShortVector n0 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n3 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 3 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector h0 = n0.lanewise(VectorOperators.LSHR, 4);
            ShortVector h1 = n1.lanewise(VectorOperators.LSHR, 4);
            ShortVector h2 = n2.lanewise(VectorOperators.LSHR, 4);
            ShortVector h3 = n3.lanewise(VectorOperators.LSHR, 4);
            // each token's step is written out: a helper taking these vectors would box them if not inlined
            FloatVector dx = ((FloatVector) ((IntVector) ShortVector.fromMemorySegment(S32, w, o, LE).rearrange(GROUP_SCALES)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000)
                    .reinterpretAsFloats()).mul(0x1p112f);
            int q = i;
            int gl = i >> 3;
            ShortVector p0_0 = n0.mul(ShortVector.fromArray(S16, a, q)).add(h0.mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_0 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(h1.mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_0 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(h2.mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_0 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(h3.mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_0 = p0_0.blend(p1_0, UPPER_HALF).add(p1_0.blend(p0_0, UPPER_HALF).rearrange(SWAP_HALVES));
            ShortVector x23_0 = p2_0.blend(p3_0, UPPER_HALF).add(p3_0.blend(p2_0, UPPER_HALF).rearrange(SWAP_HALVES));
            acc0 = ((FloatVector) x01_0.blend(x23_0, ODD_QUARTERS)
                    .add(x23_0.blend(x01_0, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                    .sub(ShortVector.fromArray(S16, bias, gl)).convertShape(VectorOperators.S2F, F, 0))
                    .fma(dx.mul(FloatVector.fromArray(F, dy, gl)), acc0);
            q += 128;
            gl += QuadGroups.LANES;
            ShortVector p0_1 = n0.mul(ShortVector.fromArray(S16, a, q)).add(h0.mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_1 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(h1.mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_1 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(h2.mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_1 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(h3.mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_1 = p0_1.blend(p1_1, UPPER_HALF).add(p1_1.blend(p0_1, UPPER_HALF).rearrange(SWAP_HALVES));
            ShortVector x23_1 = p2_1.blend(p3_1, UPPER_HALF).add(p3_1.blend(p2_1, UPPER_HALF).rearrange(SWAP_HALVES));
            acc1 = ((FloatVector) x01_1.blend(x23_1, ODD_QUARTERS)
                    .add(x23_1.blend(x01_1, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                    .sub(ShortVector.fromArray(S16, bias, gl)).convertShape(VectorOperators.S2F, F, 0))
                    .fma(dx.mul(FloatVector.fromArray(F, dy, gl)), acc1);
            q += 128;
            gl += QuadGroups.LANES;
            ShortVector p0_2 = n0.mul(ShortVector.fromArray(S16, a, q)).add(h0.mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_2 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(h1.mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_2 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(h2.mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_2 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(h3.mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_2 = p0_2.blend(p1_2, UPPER_HALF).add(p1_2.blend(p0_2, UPPER_HALF).rearrange(SWAP_HALVES));
            ShortVector x23_2 = p2_2.blend(p3_2, UPPER_HALF).add(p3_2.blend(p2_2, UPPER_HALF).rearrange(SWAP_HALVES));
            acc2 = ((FloatVector) x01_2.blend(x23_2, ODD_QUARTERS)
                    .add(x23_2.blend(x01_2, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                    .sub(ShortVector.fromArray(S16, bias, gl)).convertShape(VectorOperators.S2F, F, 0))
                    .fma(dx.mul(FloatVector.fromArray(F, dy, gl)), acc2);
            q += 128;
            gl += QuadGroups.LANES;
            ShortVector p0_3 = n0.mul(ShortVector.fromArray(S16, a, q)).add(h0.mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_3 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(h1.mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_3 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(h2.mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_3 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(h3.mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_3 = p0_3.blend(p1_3, UPPER_HALF).add(p1_3.blend(p0_3, UPPER_HALF).rearrange(SWAP_HALVES));
            ShortVector x23_3 = p2_3.blend(p3_3, UPPER_HALF).add(p3_3.blend(p2_3, UPPER_HALF).rearrange(SWAP_HALVES));
            acc3 = ((FloatVector) x01_3.blend(x23_3, ODD_QUARTERS)
                    .add(x23_3.blend(x01_3, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                    .sub(ShortVector.fromArray(S16, bias, gl)).convertShape(VectorOperators.S2F, F, 0))
                    .fma(dx.mul(FloatVector.fromArray(F, dy, gl)), acc3);
        }
        acc0.intoArray(lanes, 0);
        out[outIndex] = Lanes.sum(lanes, 0);
        acc1.intoArray(lanes, 0);
        out[outIndex + outStride] = Lanes.sum(lanes, 0);
        acc2.intoArray(lanes, 0);
        out[outIndex + 2 * outStride] = Lanes.sum(lanes, 0);
        acc3.intoArray(lanes, 0);
        out[outIndex + 3 * outStride] = Lanes.sum(lanes, 0);
    }

    @Override
    public boolean multiplyDecoded(float[] values, float[] scales, int rows, PreparedInput in, float[][] scratch,
                                   float[] out, int outIndex, int outStride) {
        FoldedTile.rows(values, valuesPerRow(in.cols()), scales, scalesPerRow(in.cols()), rows, in, scratch[0],
                scratch[1], out, outIndex, outStride);
        return true;
    }

    @Override
    public int tileScratch() {
        return FoldedTile.TOKENS_PER_PASS * QuadGroups.LANES;
    }

    @Override
    public int valuesPerRow(int cols) {
        return QuadGroups.groups(cols) * FoldedTile.GROUP_VALUES;
    }

    @Override
    public int scalesPerRow(int cols) {
        return QuadGroups.groups(cols) * QuadGroups.LANES;
    }

    /**
     * The row in {@link FoldedTile}'s layout: per group, vector {@code t} lane {@code l} is weight
     * {@code (l mod 4) + 4t} of the lane's block (a low nibble for {@code t < 4}, a high one after), minus 8; and
     * each lane's block scale. A whole group's 64 nibble bytes are put in that order by one two-source byte
     * permute of two 64-byte reads; the nibbles of a last, incomplete group are placed one by one and its absent
     * blocks decode as zeros.
     */
    @Override
    public void decodeRow(MemorySegment w, long rowOffset, int cols, float[] values, int valuesAt, float[] scales,
                          int scalesAt) {
        int full = cols / 32 / QuadGroups.BLOCKS;
        long o = rowOffset;
        int v = valuesAt;
        int s = scalesAt;
        for (int g = 0; g < full; g++, o += GROUP_BYTES, v += FoldedTile.GROUP_VALUES, s += QuadGroups.LANES) {
            ByteVector nibbles = TILE_ORDER.selectFrom(ByteVector.fromMemorySegment(B64, w, o + 2, LE),
                    ByteVector.fromMemorySegment(B64, w, o + 8, LE));
            for (int t = 0; t < 4; t++) {
                IntVector n = (IntVector) nibbles.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, t);
                Lanes.floats(n.and(0xF).sub(8)).intoArray(values, v + t * QuadGroups.LANES);
                Lanes.floats(n.lanewise(VectorOperators.LSHR, 4).sub(8))
                        .intoArray(values, v + (t + 4) * QuadGroups.LANES);
            }
            ((FloatVector) ((IntVector) ShortVector.fromMemorySegment(S32, w, o, LE).rearrange(GROUP_SCALES)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000)
                    .reinterpretAsFloats()).mul(0x1p112f).intoArray(scales, s);
        }
        int rest = cols / 32 - full * QuadGroups.BLOCKS;
        if (rest > 0) {
            for (int l = 0; l < QuadGroups.LANES; l++) {
                int block = QuadGroups.blockOfLane(l);
                long b = o + (long) block * BLOCK_BYTES;
                scales[s + l] = block < rest ? half(w, b) : 0f;
                for (int t = 0; t < 4; t++) {
                    int n = block < rest ? w.get(ValueLayout.JAVA_BYTE, b + 2 + (l % 4) + 4 * t) & 0xFF : 0x88;
                    values[v + t * QuadGroups.LANES + l] = (n & 0xF) - 8;
                    values[v + (t + 4) * QuadGroups.LANES + l] = (n >> 4) - 8;
                }
            }
        }
    }
}
