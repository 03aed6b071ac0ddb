package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.S16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.floats;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Q3_K weights times Q8_K activations. A 110-byte super-block: 32 bytes of high-bit masks, 64 bytes of 2-bit
 * values, twelve bytes packing sixteen 6-bit scales (minus 32), F16 {@code d}. Value {@code 128h + 32s + l}
 * is bits {@code 2s..2s+1} of byte {@code 32h + l}, minus 4 unless bit {@code 4h + s} of mask byte {@code l}
 * is set.
 *
 * <p>The row's float sum is sixteen lanes, lane {@code i} taking {@code fma(n_i, d·dy, lane)} super-block by
 * super-block, where {@code n_i} is the exact integer {@code Σ_j scale_j · value_{16j+i} · quant_{16j+i}} over
 * the sixteen 16-value sub-blocks; the lanes are added in {@link Lanes#sum}'s order at the end. The integers
 * are computed in 16-bit lanes, two weight bytes to a lane against the even/odd-ordered quants
 * ({@link PreparedInput#evenOddQuants()}): a value times its scale is at most 128 in magnitude, times a quant
 * at most 16256, so two runs of 32 values add up in 16 bits before they are widened to ints. The even and the
 * odd values of a lane stay in separate int accumulators, as they belong to different float lanes; each
 * super-block then folds the sub-block halves together, which leaves the float lanes in the order
 * {@code 0, 2, .., 14, 1, 3, .., 15}, put back once per row.
 */
final class Q3_KMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 110;
    /** Lanes 8..15 of the int accumulators. */
    private static final VectorMask<Integer> UPPER = VectorMask.fromLong(I, 0xFF00L);
    /** Lane i takes lane i ± 8. */
    private static final VectorShuffle<Integer> SWAP_HALVES = VectorShuffle.fromOp(I, i -> (i + 8) & 15);
    /** Natural lane i from the accumulator order (even values in lanes 0..7, odd ones in 8..15). */
    private static final VectorShuffle<Float> NATURAL = VectorShuffle.fromOp(F, i -> (i & 1) * 8 + i / 2);
    /**
     * Per scale j (lanes of a 16-byte load at block offset 94, whose lanes 2..13 are the twelve scale bytes):
     * the byte with its low four bits and their shift, the byte with its top two bits and their shift.
     */
    private static final short[] LOW_BYTE = new short[16];
    private static final short[] LOW_SHIFT = new short[16];
    private static final short[] HIGH_BYTE = new short[16];
    private static final short[] HIGH_SHIFT = new short[16];
    /** Sixteen lane indices per run k of 32 values: lanes 0..7 pick scale 2k, lanes 8..15 scale 2k+1. */
    private static final short[] SCALE_LANES = new short[8 * 16];

    static {
        for (int j = 0; j < 16; j++) {
            LOW_BYTE[j] = (short) (2 + (j & 7));
            LOW_SHIFT[j] = (short) (4 * (j >> 3));
            HIGH_BYTE[j] = (short) (10 + (j & 3));
            HIGH_SHIFT[j] = (short) (2 * (j >> 2));
        }
        for (int k = 0; k < 8; k++) {
            for (int lane = 0; lane < 16; lane++) {
                SCALE_LANES[16 * k + lane] = (short) (2 * k + lane / 8);
            }
        }
    }

    Q3_KMatmul(WorkerPool pool) {
        super(GgmlType.Q3_K, ActivationFormat.Q8_K, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float d = half(w, o + 108) * ds[dBase + b];
            // 16 bytes ending with d: no read past the block
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 94, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector scales = ShortVector.fromArray(S16, LOW_BYTE, 0).selectFrom(packed)
                    .lanewise(VectorOperators.LSHR, ShortVector.fromArray(S16, LOW_SHIFT, 0)).and((short) 0x0F)
                    .or(ShortVector.fromArray(S16, HIGH_BYTE, 0).selectFrom(packed)
                            .lanewise(VectorOperators.LSHR, ShortVector.fromArray(S16, HIGH_SHIFT, 0)).and((short) 3)
                            .lanewise(VectorOperators.LSHL, 4))
                    .sub((short) 32);
            ShortVector hm = ShortVector.fromMemorySegment(S16, w, o, LE);
            IntVector even = IntVector.zero(I);
            IntVector odd = IntVector.zero(I);
            // two runs of 32 values per turn: runs k and k+1 share their 2-bit byte row
            for (int k = 0; k < 8; k += 2) {
                ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 32 + 32 * (k >> 2), LE);
                int s = k & 3;
                ShortVector u0 = qs.lanewise(VectorOperators.LSHR, 2 * s).and((short) 0x0303)
                        .or(hm.lanewise(VectorOperators.LSHR, k).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
                ShortVector u1 = qs.lanewise(VectorOperators.LSHR, 2 * s + 2).and((short) 0x0303)
                        .or(hm.lanewise(VectorOperators.LSHR, k + 1).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
                ShortVector sc0 = ShortVector.fromArray(S16, SCALE_LANES, 16 * k).selectFrom(scales);
                ShortVector sc1 = ShortVector.fromArray(S16, SCALE_LANES, 16 * k + 16).selectFrom(scales);
                int q = qBase + b * 256 + 32 * k;
                even = even.add((IntVector) u0.and((short) 0xFF).sub((short) 4).mul(sc0).mul(ShortVector.fromArray(S16, a, q))
                        .add(u1.and((short) 0xFF).sub((short) 4).mul(sc1).mul(ShortVector.fromArray(S16, a, q + 32)))
                        .convertShape(VectorOperators.S2I, I, 0));
                odd = odd.add((IntVector) u0.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc0)
                        .mul(ShortVector.fromArray(S16, a, q + 16))
                        .add(u1.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc1)
                                .mul(ShortVector.fromArray(S16, a, q + 48)))
                        .convertShape(VectorOperators.S2I, I, 0));
            }
            IntVector n = even.blend(odd, UPPER).add(odd.blend(even, UPPER).rearrange(SWAP_HALVES));
            acc = floats(n).fma(FloatVector.broadcast(F, d), acc);
        }
        acc.rearrange(NATURAL).intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

    /** {@link #dot}'s arithmetic for each of four tokens, the weights decoded and scaled once for all four. */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            // read before any vector is live: should C2 leave this call out of line, nothing is spilled around it
            float h = half(w, o + 108);
            int db = token * nb + b;
            float d0 = h * ds[db];
            float d1 = h * ds[db + nb];
            float d2 = h * ds[db + 2 * nb];
            float d3 = h * ds[db + 3 * nb];
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 94, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector scales = ShortVector.fromArray(S16, LOW_BYTE, 0).selectFrom(packed)
                    .lanewise(VectorOperators.LSHR, ShortVector.fromArray(S16, LOW_SHIFT, 0)).and((short) 0x0F)
                    .or(ShortVector.fromArray(S16, HIGH_BYTE, 0).selectFrom(packed)
                            .lanewise(VectorOperators.LSHR, ShortVector.fromArray(S16, HIGH_SHIFT, 0)).and((short) 3)
                            .lanewise(VectorOperators.LSHL, 4))
                    .sub((short) 32);
            ShortVector hm = ShortVector.fromMemorySegment(S16, w, o, LE);
            IntVector even0 = IntVector.zero(I);
            IntVector odd0 = IntVector.zero(I);
            IntVector even1 = IntVector.zero(I);
            IntVector odd1 = IntVector.zero(I);
            IntVector even2 = IntVector.zero(I);
            IntVector odd2 = IntVector.zero(I);
            IntVector even3 = IntVector.zero(I);
            IntVector odd3 = IntVector.zero(I);
            for (int k = 0; k < 8; k += 2) {
                ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 32 + 32 * (k >> 2), LE);
                int s = k & 3;
                ShortVector u0 = qs.lanewise(VectorOperators.LSHR, 2 * s).and((short) 0x0303)
                        .or(hm.lanewise(VectorOperators.LSHR, k).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
                ShortVector u1 = qs.lanewise(VectorOperators.LSHR, 2 * s + 2).and((short) 0x0303)
                        .or(hm.lanewise(VectorOperators.LSHR, k + 1).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
                ShortVector sc0 = ShortVector.fromArray(S16, SCALE_LANES, 16 * k).selectFrom(scales);
                ShortVector sc1 = ShortVector.fromArray(S16, SCALE_LANES, 16 * k + 16).selectFrom(scales);
                ShortVector e0 = u0.and((short) 0xFF).sub((short) 4).mul(sc0);
                ShortVector o0 = u0.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc0);
                ShortVector e1 = u1.and((short) 0xFF).sub((short) 4).mul(sc1);
                ShortVector o1 = u1.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc1);
                int q = token * cols + b * 256 + 32 * k;
                even0 = even0.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, q))
                        .add(e1.mul(ShortVector.fromArray(S16, a, q + 32))).convertShape(VectorOperators.S2I, I, 0));
                odd0 = odd0.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, q + 16))
                        .add(o1.mul(ShortVector.fromArray(S16, a, q + 48))).convertShape(VectorOperators.S2I, I, 0));
                q += cols;
                even1 = even1.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, q))
                        .add(e1.mul(ShortVector.fromArray(S16, a, q + 32))).convertShape(VectorOperators.S2I, I, 0));
                odd1 = odd1.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, q + 16))
                        .add(o1.mul(ShortVector.fromArray(S16, a, q + 48))).convertShape(VectorOperators.S2I, I, 0));
                q += cols;
                even2 = even2.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, q))
                        .add(e1.mul(ShortVector.fromArray(S16, a, q + 32))).convertShape(VectorOperators.S2I, I, 0));
                odd2 = odd2.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, q + 16))
                        .add(o1.mul(ShortVector.fromArray(S16, a, q + 48))).convertShape(VectorOperators.S2I, I, 0));
                q += cols;
                even3 = even3.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, q))
                        .add(e1.mul(ShortVector.fromArray(S16, a, q + 32))).convertShape(VectorOperators.S2I, I, 0));
                odd3 = odd3.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, q + 16))
                        .add(o1.mul(ShortVector.fromArray(S16, a, q + 48))).convertShape(VectorOperators.S2I, I, 0));
            }
            acc0 = floats(even0.blend(odd0, UPPER).add(odd0.blend(even0, UPPER).rearrange(SWAP_HALVES)))
                    .fma(FloatVector.broadcast(F, d0), acc0);
            acc1 = floats(even1.blend(odd1, UPPER).add(odd1.blend(even1, UPPER).rearrange(SWAP_HALVES)))
                    .fma(FloatVector.broadcast(F, d1), acc1);
            acc2 = floats(even2.blend(odd2, UPPER).add(odd2.blend(even2, UPPER).rearrange(SWAP_HALVES)))
                    .fma(FloatVector.broadcast(F, d2), acc2);
            acc3 = floats(even3.blend(odd3, UPPER).add(odd3.blend(even3, UPPER).rearrange(SWAP_HALVES)))
                    .fma(FloatVector.broadcast(F, d3), acc3);
        }
        acc0.rearrange(NATURAL).intoArray(lanes, 0);
        acc1.rearrange(NATURAL).intoArray(lanes, 16);
        out[outIndex] = Lanes.sum(lanes, 0);
        out[outIndex + outStride] = Lanes.sum(lanes, 16);
        acc2.rearrange(NATURAL).intoArray(lanes, 0);
        acc3.rearrange(NATURAL).intoArray(lanes, 16);
        out[outIndex + 2 * outStride] = Lanes.sum(lanes, 0);
        out[outIndex + 3 * outStride] = Lanes.sum(lanes, 16);
    }
}
