package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.bytes;
import static dev.infer4j.kernels.cpu.matmul.Lanes.floats;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 weights (18-byte blocks: F16 scale, 16 bytes of nibbles; low nibbles are values 0..15, high nibbles
 * 16..31, each minus 8) times Q8_0 activations.
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
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int b = 0;
        long o = rowOffset;
        for (; b + 2 <= nb; b += 2, o += 2 * BLOCK_BYTES) {
            int q = qBase + b * 32;
            IntVector n0 = bytes(w, o + 2);
            FloatVector s0 = floats(n0.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(8))
                    .fma(FloatVector.fromArray(F, a, q + 16),
                            floats(n0.and(0xF).sub(8)).mul(FloatVector.fromArray(F, a, q)));
            acc0 = s0.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc0);
            long o1 = o + BLOCK_BYTES;
            IntVector n1 = bytes(w, o1 + 2);
            FloatVector s1 = floats(n1.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(8))
                    .fma(FloatVector.fromArray(F, a, q + 48),
                            floats(n1.and(0xF).sub(8)).mul(FloatVector.fromArray(F, a, q + 32)));
            acc1 = s1.fma(FloatVector.broadcast(F, half(w, o1) * ds[dBase + b + 1]), acc1);
        }
        if (b < nb) {
            int q = qBase + b * 32;
            IntVector n0 = bytes(w, o + 2);
            FloatVector s0 = floats(n0.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(8))
                    .fma(FloatVector.fromArray(F, a, q + 16),
                            floats(n0.and(0xF).sub(8)).mul(FloatVector.fromArray(F, a, q)));
            acc0 = s0.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc0);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
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
            IntVector n = bytes(w, o + 2);
            FloatVector lo = floats(n.and(0xF).sub(8));
            FloatVector hi = floats(n.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(8));
            int q = q0 + b * 32;
            int d = d0 + b;
            acc0 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc0);
            q += cols;
            d += nb;
            acc1 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc1);
            q += cols;
            d += nb;
            acc2 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc2);
            q += cols;
            d += nb;
            acc3 = hi.fma(FloatVector.fromArray(F, a, q + 16), lo.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx * ds[d]), acc3);
        }
        out[outIndex] = acc0.reduceLanes(VectorOperators.ADD);
        out[outIndex + outStride] = acc1.reduceLanes(VectorOperators.ADD);
        out[outIndex + 2 * outStride] = acc2.reduceLanes(VectorOperators.ADD);
        out[outIndex + 3 * outStride] = acc3.reduceLanes(VectorOperators.ADD);
    }
}
