package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.floats;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes.unsignedBytes;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 weights (18-byte blocks: F16 scale, 16 bytes of nibbles; low nibbles are values 0..15, high nibbles
 * 16..31, each minus 8) times Q8_0 activations.
 *
 * <p>{@code Σ(q−8)·a = Σq·a − 8·Σa}: the lanes multiply the raw nibbles and the −8 is applied once per block
 * through the activation block's quant sum, which saves two vector subtractions per block.
 */
final class Q4_0Matmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 18;

    Q4_0Matmul(WorkerPool pool) {
        super(GgmlType.Q4_0, ActivationFormat.Q8_0, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        float[] sums = in.sums();
        int q = token * cols;
        int d = token * nb;
        FloatVector acc = FloatVector.zero(F);
        float offset = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dx = half(w, o);
            IntVector n = unsignedBytes(w, o + 2);
            FloatVector s = floats(n.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, a, q + 32 * b + 16),
                    floats(n.and(0xF)).mul(FloatVector.fromArray(F, a, q + 32 * b)));
            acc = s.fma(FloatVector.broadcast(F, dx * ds[d + b]), acc);
            offset += dx * sums[d + b];
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0) - 8f * offset;
    }

    /** {@link #dot}'s arithmetic for each of four tokens. */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        float[] sums = in.sums();
        int q0 = token * cols;
        int d0 = token * nb;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        float off0 = 0f;
        float off1 = 0f;
        float off2 = 0f;
        float off3 = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dx = half(w, o);
            IntVector n = unsignedBytes(w, o + 2);
            FloatVector lo = floats(n.and(0xF));
            FloatVector hi = floats(n.lanewise(VectorOperators.LSHR, 4));
            int q = q0 + b * 32;
            int d = d0 + b;
            acc0 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc0);
            off0 += dx * sums[d];
            q += cols;
            d += nb;
            acc1 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc1);
            off1 += dx * sums[d];
            q += cols;
            d += nb;
            acc2 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc2);
            off2 += dx * sums[d];
            q += cols;
            d += nb;
            acc3 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc3);
            off3 += dx * sums[d];
        }
        acc0.intoArray(lanes, 0);
        out[outIndex] = Lanes.sum(lanes, 0) - 8f * off0;
        acc1.intoArray(lanes, 0);
        out[outIndex + outStride] = Lanes.sum(lanes, 0) - 8f * off1;
        acc2.intoArray(lanes, 0);
        out[outIndex + 2 * outStride] = Lanes.sum(lanes, 0) - 8f * off2;
        acc3.intoArray(lanes, 0);
        out[outIndex + 3 * outStride] = Lanes.sum(lanes, 0) - 8f * off3;
    }
}
