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
 * Q2_K weights times Q8_K activations. An 84-byte super-block: sixteen bytes of 4-bit scale and 4-bit min
 * per 16 values, 64 bytes of 2-bit values, F16 {@code d} and {@code dmin}. Value {@code 128k + 32j + l} is
 * bits {@code 2j..2j+1} of byte {@code 32k + l}.
 *
 * <p>The row's float sum is sixteen lanes, lane {@code i} taking {@code fma(n_i, d·dy, lane)} super-block by
 * super-block, where {@code n_i} is the exact integer {@code Σ_j scale_j · value_{16j+i} · quant_{16j+i}} over
 * the sixteen 16-value sub-blocks; the lanes are added in {@link Lanes#sum}'s order at the end, and the min part,
 * {@code dmin·dy·Σ_j min_j · bsum_j} summed super-block by super-block, is subtracted from that. The integers are
 * computed as in {@link Q3_KMatmul}: two weight bytes to a 16-bit lane against the even/odd-ordered quants
 * ({@link PreparedInput#evenOddQuants()}). A value times its scale is at most 45, times a quant at most 5760,
 * so the four runs of 32 values that share a byte row add up in 16 bits before they are widened to ints.
 */
final class Q2_KMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 84;

    Q2_KMatmul(WorkerPool pool) {
        super(GgmlType.Q2_K, ActivationFormat.Q8_K, pool);
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
        Arrays.fill(lanes, 0, 16, 0f);
        float mins = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dy = ds[dBase + b];
            int q = qBase + b * 256;
            mins += half(w, o + 82) * dy * minSum(w, o, bsums, q / 16);
            superBlock(w, o, a, q, half(w, o + 80) * dy, lanes);
        }
        FloatVector.fromArray(F, lanes, 0).rearrange(NATURAL).intoArray(lanes, 0);
        return Lanes.sum(lanes, 0) - mins;
    }

    /** {@code Σ_j min_j · bsum_j} over the sixteen 16-value sub-blocks, in int lanes. Exact. */
    private static int minSum(MemorySegment w, long o, int[] bsums, int base) {
        return ((IntVector) ByteVector.fromMemorySegment(B16, w, o, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                .lanewise(VectorOperators.LSHR, 4).mul(IntVector.fromArray(I, bsums, base))
                .reduceLanes(VectorOperators.ADD);
    }

    /**
     * One super-block's scaled values into the float lanes kept at {@code lanes[0..15]} (accumulator order). A
     * method of its own that takes and returns no vectors (see {@link Q3_KMatmul}: otherwise C2 leaves vector
     * calls out of line and boxes their vectors).
     */
    private static void superBlock(MemorySegment w, long o, short[] a, int q, float d, float[] lanes) {
        ShortVector scales = ((ShortVector) ByteVector.fromMemorySegment(B16, w, o, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0)).and((short) 0x0F);
        IntVector even = IntVector.zero(I);
        IntVector odd = IntVector.zero(I);
        // the four runs of 32 values from one 32-byte row, summed in 16 bits
        for (int k = 0; k < 2; k++) {
            ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 16 + 32 * k, LE);
            ShortVector e = ShortVector.zero(S16);
            ShortVector od = ShortVector.zero(S16);
            for (int j = 0; j < 4; j++) {
                int r = 4 * k + j;
                int p = q + 32 * r;
                ShortVector sc = ShortVector.fromArray(S16, SCALE_LANES, 16 * r).selectFrom(scales);
                e = e.add(qs.lanewise(VectorOperators.LSHR, 2 * j).and((short) 3).mul(sc)
                        .mul(ShortVector.fromArray(S16, a, p)));
                od = od.add(qs.lanewise(VectorOperators.LSHR, 2 * j + 8).and((short) 3).mul(sc)
                        .mul(ShortVector.fromArray(S16, a, p + 16)));
            }
            even = even.add((IntVector) e.convertShape(VectorOperators.S2I, I, 0));
            odd = odd.add((IntVector) od.convertShape(VectorOperators.S2I, I, 0));
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
        int[] bsums = in.blockSums();
        int perToken = cols / 16;
        Arrays.fill(lanes, 0, 64, 0f);
        float mins0 = 0f;
        float mins1 = 0f;
        float mins2 = 0f;
        float mins3 = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int db = token * nb + b;
            int q = token * cols + b * 256;
            float dmin = half(w, o + 82);
            mins0 += dmin * ds[db] * minSum(w, o, bsums, q / 16);
            mins1 += dmin * ds[db + nb] * minSum(w, o, bsums, q / 16 + perToken);
            mins2 += dmin * ds[db + 2 * nb] * minSum(w, o, bsums, q / 16 + 2 * perToken);
            mins3 += dmin * ds[db + 3 * nb] * minSum(w, o, bsums, q / 16 + 3 * perToken);
            float h = half(w, o + 80);
            superBlock4(w, o, a, q, cols, h * ds[db], h * ds[db + nb], h * ds[db + 2 * nb], h * ds[db + 3 * nb],
                    lanes);
        }
        for (int t = 0; t < 4; t++) {
            FloatVector.fromArray(F, lanes, 16 * t).rearrange(NATURAL).intoArray(lanes, 16 * t);
        }
        out[outIndex] = Lanes.sum(lanes, 0) - mins0;
        out[outIndex + outStride] = Lanes.sum(lanes, 16) - mins1;
        out[outIndex + 2 * outStride] = Lanes.sum(lanes, 32) - mins2;
        out[outIndex + 3 * outStride] = Lanes.sum(lanes, 48) - mins3;
    }

    /** {@link #superBlock} for four tokens, {@code cols} apart in {@code a}. */
    private static void superBlock4(MemorySegment w, long o, short[] a, int q, int cols, float d0, float d1, float d2,
                                    float d3, float[] lanes) {
        ShortVector scales = ((ShortVector) ByteVector.fromMemorySegment(B16, w, o, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0)).and((short) 0x0F);
        IntVector even0 = IntVector.zero(I);
        IntVector odd0 = IntVector.zero(I);
        IntVector even1 = IntVector.zero(I);
        IntVector odd1 = IntVector.zero(I);
        IntVector even2 = IntVector.zero(I);
        IntVector odd2 = IntVector.zero(I);
        IntVector even3 = IntVector.zero(I);
        IntVector odd3 = IntVector.zero(I);
        for (int k = 0; k < 2; k++) {
            ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 16 + 32 * k, LE);
            ShortVector e0 = ShortVector.zero(S16);
            ShortVector o0 = ShortVector.zero(S16);
            ShortVector e1 = ShortVector.zero(S16);
            ShortVector o1 = ShortVector.zero(S16);
            ShortVector e2 = ShortVector.zero(S16);
            ShortVector o2 = ShortVector.zero(S16);
            ShortVector e3 = ShortVector.zero(S16);
            ShortVector o3 = ShortVector.zero(S16);
            for (int j = 0; j < 4; j++) {
                int r = 4 * k + j;
                ShortVector sc = ShortVector.fromArray(S16, SCALE_LANES, 16 * r).selectFrom(scales);
                ShortVector ev = qs.lanewise(VectorOperators.LSHR, 2 * j).and((short) 3).mul(sc);
                ShortVector ov = qs.lanewise(VectorOperators.LSHR, 2 * j + 8).and((short) 3).mul(sc);
                int p = q + 32 * r;
                e0 = e0.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o0 = o0.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
                p += cols;
                e1 = e1.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o1 = o1.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
                p += cols;
                e2 = e2.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o2 = o2.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
                p += cols;
                e3 = e3.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o3 = o3.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
            }
            even0 = even0.add((IntVector) e0.convertShape(VectorOperators.S2I, I, 0));
            odd0 = odd0.add((IntVector) o0.convertShape(VectorOperators.S2I, I, 0));
            even1 = even1.add((IntVector) e1.convertShape(VectorOperators.S2I, I, 0));
            odd1 = odd1.add((IntVector) o1.convertShape(VectorOperators.S2I, I, 0));
            even2 = even2.add((IntVector) e2.convertShape(VectorOperators.S2I, I, 0));
            odd2 = odd2.add((IntVector) o2.convertShape(VectorOperators.S2I, I, 0));
            even3 = even3.add((IntVector) e3.convertShape(VectorOperators.S2I, I, 0));
            odd3 = odd3.add((IntVector) o3.convertShape(VectorOperators.S2I, I, 0));
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
