package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.S16;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes.shorts;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 weights (34-byte blocks: F16 scale, 32 int8) times Q8_0 activations. Per block the 32 products are
 * formed and summed pairwise in sixteen 16-bit integer lanes ({@code |w_j·a_j + w_{j+16}·a_{j+16}| ≤ 2·128·127}
 * fits), exact whatever the order; the lanes are then converted to floats and scaled by {@code dx·dy} into the
 * float accumulator with one fused multiply-add.
 */
final class Q8_0Matmul extends BlockMatmul implements RowDecoder {

    private static final int BLOCK_BYTES = 34;

    Q8_0Matmul(WorkerPool pool) {
        super(GgmlType.Q8_0, ActivationFormat.Q8_0, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        short[] a = in.quants();
        float[] ds = in.scales();
        int q = token * cols;
        int d = token * nb;
        FloatVector acc = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            ShortVector p = shorts(w, o + 2).mul(ShortVector.fromArray(S16, a, q + 32 * b))
                    .add(shorts(w, o + 18).mul(ShortVector.fromArray(S16, a, q + 32 * b + 16)));
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
            ShortVector lo = shorts(w, o + 2);
            ShortVector hi = shorts(w, o + 18);
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

    /** The 32 signed bytes as floats, and the F16 scale. */
    @Override
    public void decodeRow(MemorySegment w, long rowOffset, int cols, float[] values, int valuesAt, float[] scales,
                          int scalesAt) {
        long o = rowOffset;
        for (int b = 0; b < cols / 32; b++, o += BLOCK_BYTES) {
            scales[scalesAt + b] = half(w, o);
            Lanes.floats(Lanes.bytes(w, o + 2)).intoArray(values, valuesAt + 32 * b);
            Lanes.floats(Lanes.bytes(w, o + 18)).intoArray(values, valuesAt + 32 * b + 16);
        }
    }
}
