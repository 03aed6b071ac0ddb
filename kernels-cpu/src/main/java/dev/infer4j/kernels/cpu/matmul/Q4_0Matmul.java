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
        return Lanes.sum(acc0.add(acc1)) - 8f * offset;
    }

    /** {@link #dot}'s arithmetic for each of four tokens (even blocks in one accumulator, odd in another). */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        float[] sums = in.sums();
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
        float off0 = 0f;
        float off1 = 0f;
        float off2 = 0f;
        float off3 = 0f;
        int b = 0;
        long o = rowOffset;
        for (; b + 2 <= nb; b += 2, o += 2 * BLOCK_BYTES) {
            float dx0 = half(w, o);
            IntVector n0 = unsignedBytes(w, o + 2);
            FloatVector lo0 = floats(n0.and(0xF));
            FloatVector hi0 = floats(n0.lanewise(VectorOperators.LSHR, 4));
            float dx1 = half(w, o + BLOCK_BYTES);
            IntVector n1 = unsignedBytes(w, o + BLOCK_BYTES + 2);
            FloatVector lo1 = floats(n1.and(0xF));
            FloatVector hi1 = floats(n1.lanewise(VectorOperators.LSHR, 4));
            int q = q0 + b * 32;
            int d = d0 + b;
                e0 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e0);
                o0 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o0);
                off0 += dx0 * sums[d] + dx1 * sums[d + 1];
                q += cols;
                d += nb;
                e1 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e1);
                o1 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o1);
                off1 += dx0 * sums[d] + dx1 * sums[d + 1];
                q += cols;
                d += nb;
                e2 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e2);
                o2 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o2);
                off2 += dx0 * sums[d] + dx1 * sums[d + 1];
                q += cols;
                d += nb;
                e3 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                        .fma(FloatVector.broadcast(F, dx0 * ds[d]), e3);
                o3 = hi1.fma(FloatVector.fromArray(F, a, q + 48), lo1.mul(FloatVector.fromArray(F, a, q + 32)))
                        .fma(FloatVector.broadcast(F, dx1 * ds[d + 1]), o3);
                off3 += dx0 * sums[d] + dx1 * sums[d + 1];
        }
        if (b < nb) {
            float dx0 = half(w, o);
            IntVector n0 = unsignedBytes(w, o + 2);
            FloatVector lo0 = floats(n0.and(0xF));
            FloatVector hi0 = floats(n0.lanewise(VectorOperators.LSHR, 4));
            int q = q0 + b * 32;
            int d = d0 + b;
            e0 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e0);
            off0 += dx0 * sums[d];
            q += cols;
            d += nb;
            e1 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e1);
            off1 += dx0 * sums[d];
            q += cols;
            d += nb;
            e2 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e2);
            off2 += dx0 * sums[d];
            q += cols;
            d += nb;
            e3 = hi0.fma(FloatVector.fromArray(F, a, q + 16), lo0.mul(FloatVector.fromArray(F, a, q)))
                    .fma(FloatVector.broadcast(F, dx0 * ds[d]), e3);
            off3 += dx0 * sums[d];
        }
        out[outIndex] = Lanes.sum(e0.add(o0)) - 8f * off0;
        out[outIndex + outStride] = Lanes.sum(e1.add(o1)) - 8f * off1;
        out[outIndex + 2 * outStride] = Lanes.sum(e2.add(o2)) - 8f * off2;
        out[outIndex + 3 * outStride] = Lanes.sum(e3.add(o3)) - 8f * off3;
    }
}
