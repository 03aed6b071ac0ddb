package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.NATURAL;
import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.SCALE_LANES;
import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.SWAP_HALVES;
import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.UPPER;
import static dev.infer4j.kernels.cpu.matmul.Lanes.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.S16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

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
    /**
     * Per scale j (lanes of a 16-byte load at block offset 94, whose lanes 2..13 are the twelve scale bytes):
     * the byte with its low four bits and their shift, the byte with its top two bits and their shift.
     */
    private static final short[] LOW_BYTE = new short[16];
    private static final short[] LOW_SHIFT = new short[16];
    private static final short[] HIGH_BYTE = new short[16];
    private static final short[] HIGH_SHIFT = new short[16];

    static {
        for (int j = 0; j < 16; j++) {
            LOW_BYTE[j] = (short) (2 + (j & 7));
            LOW_SHIFT[j] = (short) (4 * (j >> 3));
            HIGH_BYTE[j] = (short) (10 + (j & 3));
            HIGH_SHIFT[j] = (short) (2 * (j >> 2));
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
        Arrays.fill(lanes, 0, 16, 0f);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            superBlock(w, o, a, qBase + b * 256, half(w, o + 108) * ds[dBase + b], lanes);
        }
        FloatVector.fromArray(F, lanes, 0).rearrange(NATURAL).intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

    /**
     * One super-block into the float lanes kept at {@code lanes[0..15]} (accumulator order). A method of its own
     * that takes and returns no vectors, with no vector helper calls (the scales are decoded inline and the
     * int-to-float conversion written out): within {@code dot} or with helpers, C2 ran out of node budget and
     * left vector calls out of line, which boxed 192 bytes per super-block.
     */
    private static void superBlock(MemorySegment w, long o, short[] a, int q, float d, float[] lanes) {
        // 16 bytes ending with d (no read past the block): lanes 2..13 are the scale bytes
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
        // two runs of 32 values per turn, run k and k+1 from the same 2-bit byte row
        for (int k = 0; k < 8; k += 2, q += 64) {
            ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 32 + 32 * (k >> 2), LE);
            int s = k & 3;
            ShortVector u0 = qs.lanewise(VectorOperators.LSHR, 2 * s).and((short) 0x0303)
                    .or(hm.lanewise(VectorOperators.LSHR, k).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
            ShortVector u1 = qs.lanewise(VectorOperators.LSHR, 2 * s + 2).and((short) 0x0303)
                    .or(hm.lanewise(VectorOperators.LSHR, k + 1).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
            ShortVector sc0 = ShortVector.fromArray(S16, SCALE_LANES, 16 * k).selectFrom(scales);
            ShortVector sc1 = ShortVector.fromArray(S16, SCALE_LANES, 16 * k + 16).selectFrom(scales);
            even = even.add((IntVector) u0.and((short) 0xFF).sub((short) 4).mul(sc0)
                    .mul(ShortVector.fromArray(S16, a, q))
                    .add(u1.and((short) 0xFF).sub((short) 4).mul(sc1).mul(ShortVector.fromArray(S16, a, q + 32)))
                    .convertShape(VectorOperators.S2I, I, 0));
            odd = odd.add((IntVector) u0.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc0)
                    .mul(ShortVector.fromArray(S16, a, q + 16))
                    .add(u1.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc1)
                            .mul(ShortVector.fromArray(S16, a, q + 48)))
                    .convertShape(VectorOperators.S2I, I, 0));
        }
        IntVector n = even.blend(odd, UPPER).add(odd.blend(even, UPPER).rearrange(SWAP_HALVES));
        ((FloatVector) n.convert(VectorOperators.I2F, 0))
                .fma(FloatVector.broadcast(F, d), FloatVector.fromArray(F, lanes, 0)).intoArray(lanes, 0);
    }

    /**
     * {@link #dot}'s arithmetic for each of four tokens, the weights decoded and scaled once for all four; token
     * t's float lanes are kept at {@code lanes[16t..16t+15]}.
     */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        Arrays.fill(lanes, 0, 64, 0f);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float h = half(w, o + 108);
            int db = token * nb + b;
            superBlock4(w, o, a, token * cols + b * 256, cols,
                    h * ds[db], h * ds[db + nb], h * ds[db + 2 * nb], h * ds[db + 3 * nb], lanes);
        }
        for (int t = 0; t < 4; t++) {
            FloatVector.fromArray(F, lanes, 16 * t).rearrange(NATURAL).intoArray(lanes, 16 * t);
            out[outIndex + t * outStride] = Lanes.sum(lanes, 16 * t);
        }
    }

    /** {@link #superBlock} for four tokens, {@code cols} apart in {@code a}. */
    private static void superBlock4(MemorySegment w, long o, short[] a, int q, int cols, float d0, float d1, float d2,
                                    float d3, float[] lanes) {
        // 16 bytes ending with d (no read past the block): lanes 2..13 are the scale bytes
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
            int p = q + 32 * k;
            even0 = even0.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, p))
                    .add(e1.mul(ShortVector.fromArray(S16, a, p + 32))).convertShape(VectorOperators.S2I, I, 0));
            odd0 = odd0.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, p + 16))
                    .add(o1.mul(ShortVector.fromArray(S16, a, p + 48))).convertShape(VectorOperators.S2I, I, 0));
            p += cols;
            even1 = even1.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, p))
                    .add(e1.mul(ShortVector.fromArray(S16, a, p + 32))).convertShape(VectorOperators.S2I, I, 0));
            odd1 = odd1.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, p + 16))
                    .add(o1.mul(ShortVector.fromArray(S16, a, p + 48))).convertShape(VectorOperators.S2I, I, 0));
            p += cols;
            even2 = even2.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, p))
                    .add(e1.mul(ShortVector.fromArray(S16, a, p + 32))).convertShape(VectorOperators.S2I, I, 0));
            odd2 = odd2.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, p + 16))
                    .add(o1.mul(ShortVector.fromArray(S16, a, p + 48))).convertShape(VectorOperators.S2I, I, 0));
            p += cols;
            even3 = even3.add((IntVector) e0.mul(ShortVector.fromArray(S16, a, p))
                    .add(e1.mul(ShortVector.fromArray(S16, a, p + 32))).convertShape(VectorOperators.S2I, I, 0));
            odd3 = odd3.add((IntVector) o0.mul(ShortVector.fromArray(S16, a, p + 16))
                    .add(o1.mul(ShortVector.fromArray(S16, a, p + 48))).convertShape(VectorOperators.S2I, I, 0));
        }
        ((FloatVector) even0.blend(odd0, UPPER).add(odd0.blend(even0, UPPER).rearrange(SWAP_HALVES))
                .convert(VectorOperators.I2F, 0))
                .fma(FloatVector.broadcast(F, d0), FloatVector.fromArray(F, lanes, 0)).intoArray(lanes, 0);
        ((FloatVector) even1.blend(odd1, UPPER).add(odd1.blend(even1, UPPER).rearrange(SWAP_HALVES))
                .convert(VectorOperators.I2F, 0))
                .fma(FloatVector.broadcast(F, d1), FloatVector.fromArray(F, lanes, 16)).intoArray(lanes, 16);
        ((FloatVector) even2.blend(odd2, UPPER).add(odd2.blend(even2, UPPER).rearrange(SWAP_HALVES))
                .convert(VectorOperators.I2F, 0))
                .fma(FloatVector.broadcast(F, d2), FloatVector.fromArray(F, lanes, 32)).intoArray(lanes, 32);
        ((FloatVector) even3.blend(odd3, UPPER).add(odd3.blend(even3, UPPER).rearrange(SWAP_HALVES))
                .convert(VectorOperators.I2F, 0))
                .fma(FloatVector.broadcast(F, d3), FloatVector.fromArray(F, lanes, 48)).intoArray(lanes, 48);
    }
}
