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
 * Q4_1 weights (20-byte blocks: F16 scale d, F16 minimum m, 16 bytes of unsigned nibbles) times Q8_1
 * activations: {@code Σ (d·dy)·Σq·a + m·s} per block, {@code s} being the activation block's scaled quant sum.
 */
final class Q4_1Matmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 20;

    Q4_1Matmul(WorkerPool pool) {
        super(GgmlType.Q4_1, ActivationFormat.Q8_1, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        float[] ss = in.sums();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int q = qBase + b * 32;
            IntVector n = bytes(w, o + 4);
            FloatVector s = floats(n.lanewise(VectorOperators.LSHR, 4).and(0xF))
                    .fma(FloatVector.fromArray(F, a, q + 16), floats(n.and(0xF)).mul(FloatVector.fromArray(F, a, q)));
            acc = s.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc);
            mins += half(w, o + 2) * ss[dBase + b];
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0) + mins;
    }
}
