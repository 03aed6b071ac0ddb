package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.byteFloats;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Q8_0 weights (34-byte blocks: F16 scale, 32 int8) times Q8_0 activations. Per block the 32 products are
 * summed exactly in sixteen float lanes, then scaled by {@code dx·dy} into the accumulator.
 */
final class Q8_0Matmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 34;

    Q8_0Matmul(WorkerPool pool) {
        super(GgmlType.Q8_0, ActivationFormat.Q8_0, pool);
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
            FloatVector s0 = byteFloats(w, o + 18).fma(FloatVector.fromArray(F, a, q + 16),
                    byteFloats(w, o + 2).mul(FloatVector.fromArray(F, a, q)));
            acc0 = s0.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc0);
            long o1 = o + BLOCK_BYTES;
            FloatVector s1 = byteFloats(w, o1 + 18).fma(FloatVector.fromArray(F, a, q + 48),
                    byteFloats(w, o1 + 2).mul(FloatVector.fromArray(F, a, q + 32)));
            acc1 = s1.fma(FloatVector.broadcast(F, half(w, o1) * ds[dBase + b + 1]), acc1);
        }
        if (b < nb) {
            int q = qBase + b * 32;
            FloatVector s0 = byteFloats(w, o + 18).fma(FloatVector.fromArray(F, a, q + 16),
                    byteFloats(w, o + 2).mul(FloatVector.fromArray(F, a, q)));
            acc0 = s0.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc0);
        }
        return Lanes.sum(acc0.add(acc1));
    }

    /** {@link #dot}'s arithmetic for each of four tokens (even blocks in one accumulator, odd in another). */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        int q0 = token * cols;
        int d0 = token * nb;
        FloatVector e0 = FloatVector.zero(F);
        FloatVector e1 = FloatVector.zero(F);
        FloatVector e2 = FloatVector.zero(F);
        FloatVector e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = FloatVector.zero(F);
        FloatVector o2 = FloatVector.zero(F);
        FloatVector o3 = FloatVector.zero(F);
        int b = 0;
        long o = rowOffset;
        for (; b + 2 <= nb; b += 2, o += 2 * BLOCK_BYTES) {
            float dx0 = half(w, o);
            FloatVector lo0 = byteFloats(w, o + 2);
            FloatVector hi0 = byteFloats(w, o + 18);
            float dx1 = half(w, o + BLOCK_BYTES);
            FloatVector lo1 = byteFloats(w, o + BLOCK_BYTES + 2);
            FloatVector hi1 = byteFloats(w, o + BLOCK_BYTES + 18);
            int q = q0 + b * 32;
            int d = d0 + b;
                e0 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e0);
                o0 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o0);
                q += cols;
                d += nb;
                e1 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e1);
                o1 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o1);
                q += cols;
                d += nb;
                e2 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e2);
                o2 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o2);
                q += cols;
                d += nb;
                e3 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e3);
                o3 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o3);
        }
        if (b < nb) {
            float dx0 = half(w, o);
            FloatVector lo0 = byteFloats(w, o + 2);
            FloatVector hi0 = byteFloats(w, o + 18);
            int q = q0 + b * 32;
            int d = d0 + b;
            e0 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e0);
            q += cols;
            d += nb;
            e1 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e1);
            q += cols;
            d += nb;
            e2 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e2);
            q += cols;
            d += nb;
            e3 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e3);
        }
        out[outIndex] = Lanes.sum(e0.add(o0));
        out[outIndex + outStride] = Lanes.sum(e1.add(o1));
        out[outIndex + 2 * outStride] = Lanes.sum(e2.add(o2));
        out[outIndex + 3 * outStride] = Lanes.sum(e3.add(o3));
    }
}
