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
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        float[] sums = in.sums();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        float offset = 0f;
        int b = 0;
        for (; b + 2 <= nb; b += 2) {
            // offsets as linear functions of the loop counter, so the segment bounds checks can be hoisted
            long o = rowOffset + (long) b * BLOCK_BYTES;
            int q = qBase + b * 32;
            float dx0 = half(w, o);
            IntVector n0 = unsignedBytes(w, o + 2);
            FloatVector s0 = floats(n0.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, a, q + 16),
                    floats(n0.and(0xF)).mul(FloatVector.fromArray(F, a, q)));
            acc0 = s0.fma(FloatVector.broadcast(F, dx0 * ds[dBase + b]), acc0);
            long o1 = o + BLOCK_BYTES;
            float dx1 = half(w, o1);
            IntVector n1 = unsignedBytes(w, o1 + 2);
            FloatVector s1 = floats(n1.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, a, q + 48),
                    floats(n1.and(0xF)).mul(FloatVector.fromArray(F, a, q + 32)));
            acc1 = s1.fma(FloatVector.broadcast(F, dx1 * ds[dBase + b + 1]), acc1);
            offset += dx0 * sums[dBase + b] + dx1 * sums[dBase + b + 1];
        }
        if (b < nb) {
            long o = rowOffset + (long) b * BLOCK_BYTES;
            int q = qBase + b * 32;
            float dx0 = half(w, o);
            IntVector n0 = unsignedBytes(w, o + 2);
            FloatVector s0 = floats(n0.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, a, q + 16),
                    floats(n0.and(0xF)).mul(FloatVector.fromArray(F, a, q)));
            acc0 = s0.fma(FloatVector.broadcast(F, dx0 * ds[dBase + b]), acc0);
            offset += dx0 * sums[dBase + b];
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - 8f * offset;
    }

    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride) {
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
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD) - 8f * off0;
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD) - 8f * off1;
        out[outIndex + 2 * outStride] = acc2.reduceLanes(VectorOperators.ADD) - 8f * off2;
        out[outIndex + 3 * outStride] = acc3.reduceLanes(VectorOperators.ADD) - 8f * off3;
    }
}
