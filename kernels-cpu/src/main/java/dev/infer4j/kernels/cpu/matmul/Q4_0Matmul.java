package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.S16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 weights (18-byte blocks: F16 scale, 16 bytes of nibbles; low nibbles are values 0..15, high nibbles
 * 16..31, each minus 8) times Q8_0 activations.
 *
 * <p>A block's products are formed in sixteen 16-bit integer lanes: lane j holds
 * {@code (lo_j−8)·a_j + (hi_j−8)·a_{j+16}}, at most 2·8·127 in magnitude. Integer arithmetic is exact, so
 * the lanes are the true integer partial sums whatever the order; they are then converted to floats and
 * scaled by {@code dx·dy} into a float accumulator, one fused multiply-add per block. Half-width integer
 * lanes cost half what the float lanes they replace do.
 */
final class Q4_0Matmul extends BlockMatmul implements RowDecoder {

    private static final int BLOCK_BYTES = 18;

    Q4_0Matmul(WorkerPool pool) {
        super(GgmlType.Q4_0, ActivationFormat.Q8_0, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        short[] a = in.quants();
        short[] bias = in.nibbleBias();
        float[] ds = in.scales();
        int q = token * cols;
        int d = token * nb;
        FloatVector acc = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            ShortVector n = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector p = n.and((short) 0xF).mul(ShortVector.fromArray(S16, a, q + 32 * b))
                    .add(n.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 32 * b + 16)))
                    .sub(ShortVector.fromArray(S16, bias, q / 2 + 16 * b));
            acc = ((FloatVector) p.convertShape(VectorOperators.S2F, F, 0))
                    .fma(FloatVector.broadcast(F, half(w, o) * ds[d + b]), acc);
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

    /** {@link #dot}'s arithmetic for each of four tokens. */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        short[] a = in.quants();
        float[] ds = in.scales();
        int q0 = token * cols;
        int d0 = token * nb;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dx = half(w, o);
            ShortVector n = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector lo = n.and((short) 0xF).sub((short) 8);
            ShortVector hi = n.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
            int q = q0 + b * 32;
            int d = d0 + b;
            acc0 = ((FloatVector) lo.mul(ShortVector.fromArray(S16, a, q)).add(hi.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, dx * ds[d]), acc0);
            q += cols;
            d += nb;
            acc1 = ((FloatVector) lo.mul(ShortVector.fromArray(S16, a, q)).add(hi.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, dx * ds[d]), acc1);
            q += cols;
            d += nb;
            acc2 = ((FloatVector) lo.mul(ShortVector.fromArray(S16, a, q)).add(hi.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, dx * ds[d]), acc2);
            q += cols;
            d += nb;
            acc3 = ((FloatVector) lo.mul(ShortVector.fromArray(S16, a, q)).add(hi.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .convertShape(VectorOperators.S2F, F, 0)).fma(FloatVector.broadcast(F, dx * ds[d]), acc3);
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

    /** Nibbles minus 8, low nibbles as weights 0..15 and high nibbles as 16..31, and the F16 scale. */
    @Override
    public void decodeRow(MemorySegment w, long rowOffset, int cols, float[] values, int valuesAt, float[] scales,
                          int scalesAt) {
        long o = rowOffset;
        for (int b = 0; b < cols / 32; b++, o += BLOCK_BYTES) {
            scales[scalesAt + b] = half(w, o);
            IntVector n = Lanes.unsignedBytes(w, o + 2);
            Lanes.floats(n.and(0xF).sub(8)).intoArray(values, valuesAt + 32 * b);
            Lanes.floats(n.lanewise(VectorOperators.LSHR, 4).sub(8)).intoArray(values, valuesAt + 32 * b + 16);
        }
    }
}
