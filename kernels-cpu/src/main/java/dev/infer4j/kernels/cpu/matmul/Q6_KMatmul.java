package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.S16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q6_K weights times Q8_K activations. A 210-byte super-block: 128 bytes of low nibbles, 64 bytes of
 * 2-bit high parts, sixteen int8 scales (one per 16 values), F16 {@code d}; values are 6-bit minus 32.
 *
 * <p>Per half super-block (128 values: 64 nibble bytes, 32 high-part bytes) the 6-bit values are put
 * together four runs of 32 at a time, with 16-bit lanes each holding two packed bytes, and multiplied
 * unsigned (0..63) by the activations in 16-bit lanes: the even byte of a lane against the even quant, the
 * odd byte against the odd one ({@link PreparedInput#evenOddQuants()}), the two products added, at most
 * 2·63·127 in magnitude. Lanes 0..7 of such a sum belong to one 16-value sub-block and lanes 8..15 to the
 * next; widened to ints, they take their sub-block's scale and go into an int accumulator. The −32 of every
 * value comes out once per super-block as {@code −32·Σ scale·(16-quant sum)}. All of it is integer
 * arithmetic, so the super-block's integer is exact and the same whatever the order; it is then scaled by
 * {@code d·dy} into the row's float sum, super-block by super-block.
 */
final class Q6_KMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 210;
    /**
     * Sixteen lane indices per run k of 32 values (k = 0..7 in a super-block): lanes 0..7 pick scale 2k,
     * lanes 8..15 scale 2k+1.
     */
    private static final int[] SCALE_LANES = new int[8 * 16];

    /**
     * Per pair of runs (2k, 2k+1), after {@link #dot}'s fold: lanes 0..3 hold scale 4k's values, 4..7 scale
     * 4k+2's, 8..11 scale 4k+1's and 12..15 scale 4k+3's.
     */
    private static final int[] FOLDED_SCALE_LANES = new int[4 * 16];
    private static final VectorMask<Short> ODD_QUARTERS = VectorMask.fromLong(S16, 0xF0F0L);
    private static final VectorShuffle<Short> SWAP_QUARTERS =
            VectorShuffle.fromValues(S16, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11);

    static {
        int[] quarterScale = {0, 2, 1, 3};
        for (int pair = 0; pair < 4; pair++) {
            for (int lane = 0; lane < 16; lane++) {
                FOLDED_SCALE_LANES[16 * pair + lane] = 4 * pair + quarterScale[lane / 4];
            }
        }
        for (int k = 0; k < 8; k++) {
            for (int lane = 0; lane < 16; lane++) {
                SCALE_LANES[16 * k + lane] = 2 * k + lane / 8;
            }
        }
    }

    Q6_KMatmul(WorkerPool pool) {
        super(GgmlType.Q6_K, ActivationFormat.Q8_K, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int[] bsums = in.blockSums();
        int qBase = token * cols;
        int dBase = token * nb;
        float sum = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            sum += half(w, o + 208) * ds[dBase + b] * superBlock(w, o, a, bsums, qBase + b * 256);
        }
        return sum;
    }

    /**
     * The integer sum of one super-block, reduced here so that no vector crosses a call boundary (a vector
     * argument or result of a call that is not inlined is boxed). The loop runs once per half so that its
     * body stays within C2's inlining budget.
     */
    private static int superBlock(MemorySegment w, long o, short[] a, int[] bsums, int q) {
        IntVector scales = (IntVector) ByteVector.fromMemorySegment(B16, w, o + 192, LE)
                .convertShape(VectorOperators.B2I, I, 0);
        IntVector acc = IntVector.fromArray(I, bsums, q / 16).mul(scales).mul(-32);
        for (int h = 0; h < 2; h++, o += 64, q += 128) {
            ShortVector ql0 = ShortVector.fromMemorySegment(S16, w, o, LE);
            ShortVector ql1 = ShortVector.fromMemorySegment(S16, w, o + 32, LE);
            ShortVector qh = ShortVector.fromMemorySegment(S16, w, o + 128 - 32 * h, LE);
            // runs of 32: low nibbles of ql0 with high-part bits 0-1, of ql1 with bits 2-3, then the high nibbles with bits 4-5 and 6-7
            ShortVector v0 = ql0.and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHL, 4).and((short) 0x3030));
            ShortVector v1 = ql1.and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHL, 2).and((short) 0x3030));
            ShortVector v2 = ql0.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F).or(qh.and((short) 0x3030));
            ShortVector v3 = ql1.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F)
                    .or(qh.lanewise(VectorOperators.LSHR, 2).and((short) 0x3030));
            // two runs' 16-bit sums folded into one vector of four lanes per 16-value sub-block (at most
            // 4·63·127), so that widening and scaling happen once per two runs
            ShortVector p0 = v0.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q))
                    .add(v0.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1 = v1.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(v1.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2 = v2.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q + 64))
                    .add(v2.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3 = v3.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q + 96))
                    .add(v3.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector f01 = p0.blend(p1, ODD_QUARTERS).add(p1.blend(p0, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
            ShortVector f23 = p2.blend(p3, ODD_QUARTERS).add(p3.blend(p2, ODD_QUARTERS).rearrange(SWAP_QUARTERS));
            int k = 32 * h;
            acc = acc.add(((IntVector) f01.convertShape(VectorOperators.S2I, I, 0))
                    .mul(IntVector.fromArray(I, FOLDED_SCALE_LANES, k).selectFrom(scales)));
            acc = acc.add(((IntVector) f23.convertShape(VectorOperators.S2I, I, 0))
                    .mul(IntVector.fromArray(I, FOLDED_SCALE_LANES, k + 16).selectFrom(scales)));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #dot}'s integers for each of four tokens, the 6-bit values put together once for all four. One
     * loop turn per run of 32 values (shift counts from the run index) keeps the body within C2's budget.
     */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int[] bsums = in.blockSums();
        float sum0 = 0f;
        float sum1 = 0f;
        float sum2 = 0f;
        float sum3 = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            // read before any vector is live: should C2 leave this call out of line, nothing is spilled around it
            float d = half(w, o + 208);
            int q0 = token * cols + b * 256;
            IntVector scales = (IntVector) ByteVector.fromMemorySegment(B16, w, o + 192, LE)
                    .convertShape(VectorOperators.B2I, I, 0);
            IntVector minus32 = scales.mul(-32);
            IntVector acc0 = IntVector.fromArray(I, bsums, q0 / 16).mul(minus32);
            IntVector acc1 = IntVector.fromArray(I, bsums, (q0 + cols) / 16).mul(minus32);
            IntVector acc2 = IntVector.fromArray(I, bsums, (q0 + 2 * cols) / 16).mul(minus32);
            IntVector acc3 = IntVector.fromArray(I, bsums, (q0 + 3 * cols) / 16).mul(minus32);
            // runs in pairs, their sums folded as in dot
            for (int p = 0; p < 4; p++) {
                int h = p >> 1;
                int s = 2 * (p & 1);
                ShortVector qh = ShortVector.fromMemorySegment(S16, w, o + 128 + 32 * h, LE);
                ShortVector v0 = ShortVector.fromMemorySegment(S16, w, o + 64 * h, LE)
                        .lanewise(VectorOperators.LSHR, 4 * (s >> 1)).and((short) 0x0F0F)
                        .or(qh.lanewise(VectorOperators.LSHR, 2 * s).lanewise(VectorOperators.LSHL, 4).and((short) 0x3030));
                ShortVector v1 = ShortVector.fromMemorySegment(S16, w, o + 64 * h + 32, LE)
                        .lanewise(VectorOperators.LSHR, 4 * (s >> 1)).and((short) 0x0F0F)
                        .or(qh.lanewise(VectorOperators.LSHR, 2 * s + 2).lanewise(VectorOperators.LSHL, 4)
                                .and((short) 0x3030));
                ShortVector even0 = v0.and((short) 0xFF);
                ShortVector odd0 = v0.lanewise(VectorOperators.LSHR, 8);
                ShortVector even1 = v1.and((short) 0xFF);
                ShortVector odd1 = v1.lanewise(VectorOperators.LSHR, 8);
                IntVector sc = IntVector.fromArray(I, FOLDED_SCALE_LANES, 16 * p).selectFrom(scales);
                int q = q0 + 64 * p;
                ShortVector p00 = even0.mul(ShortVector.fromArray(S16, a, q)).add(odd0.mul(ShortVector.fromArray(S16, a, q + 16)));
                ShortVector p10 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48)));
                acc0 = acc0.add(((IntVector) p00.blend(p10, ODD_QUARTERS)
                        .add(p10.blend(p00, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                        .convertShape(VectorOperators.S2I, I, 0)).mul(sc));
                q += cols;
                ShortVector p01 = even0.mul(ShortVector.fromArray(S16, a, q)).add(odd0.mul(ShortVector.fromArray(S16, a, q + 16)));
                ShortVector p11 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48)));
                acc1 = acc1.add(((IntVector) p01.blend(p11, ODD_QUARTERS)
                        .add(p11.blend(p01, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                        .convertShape(VectorOperators.S2I, I, 0)).mul(sc));
                q += cols;
                ShortVector p02 = even0.mul(ShortVector.fromArray(S16, a, q)).add(odd0.mul(ShortVector.fromArray(S16, a, q + 16)));
                ShortVector p12 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48)));
                acc2 = acc2.add(((IntVector) p02.blend(p12, ODD_QUARTERS)
                        .add(p12.blend(p02, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                        .convertShape(VectorOperators.S2I, I, 0)).mul(sc));
                q += cols;
                ShortVector p03 = even0.mul(ShortVector.fromArray(S16, a, q)).add(odd0.mul(ShortVector.fromArray(S16, a, q + 16)));
                ShortVector p13 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48)));
                acc3 = acc3.add(((IntVector) p03.blend(p13, ODD_QUARTERS)
                        .add(p13.blend(p03, ODD_QUARTERS).rearrange(SWAP_QUARTERS))
                        .convertShape(VectorOperators.S2I, I, 0)).mul(sc));
            }
            int db = token * nb + b;
            sum0 += d * ds[db] * acc0.reduceLanes(VectorOperators.ADD);
            sum1 += d * ds[db + nb] * acc1.reduceLanes(VectorOperators.ADD);
            sum2 += d * ds[db + 2 * nb] * acc2.reduceLanes(VectorOperators.ADD);
            sum3 += d * ds[db + 3 * nb] * acc3.reduceLanes(VectorOperators.ADD);
        }
        out[outIndex] = sum0;
        out[outIndex + outStride] = sum1;
        out[outIndex + 2 * outStride] = sum2;
        out[outIndex + 3 * outStride] = sum3;
    }
}
