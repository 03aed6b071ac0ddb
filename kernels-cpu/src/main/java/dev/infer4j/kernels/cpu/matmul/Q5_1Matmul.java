package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes.bytes;
import static dev.infer4j.kernels.cpu.matmul.Lanes.floats;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Q5_0Matmul.HIGH_SHIFTS;
import static dev.infer4j.kernels.cpu.matmul.Q5_0Matmul.LOW_SHIFTS;
import static dev.infer4j.kernels.cpu.matmul.Q5_0Matmul.fifthBits;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q5_1 weights (24-byte blocks: F16 scale d, F16 minimum m, 32 fifth bits, 16 bytes of nibbles; unsigned
 * values) times Q8_1 activations.
 */
final class Q5_1Matmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 24;

    Q5_1Matmul(WorkerPool pool) {
        super(GgmlType.Q5_1, ActivationFormat.Q8_1, pool);
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
            IntVector qh = IntVector.broadcast(I, w.get(Lanes.INT, o + 4));
            IntVector n = bytes(w, o + 8);
            IntVector lo = n.and(0xF).or(fifthBits(qh, LOW_SHIFTS));
            IntVector hi = n.lanewise(VectorOperators.LSHR, 4).and(0xF).or(fifthBits(qh, HIGH_SHIFTS));
            FloatVector s = floats(hi).fma(FloatVector.fromArray(F, a, q + 16), floats(lo).mul(FloatVector.fromArray(F, a, q)));
            acc = s.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc);
            mins += half(w, o + 2) * ss[dBase + b];
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0) + mins;
    }
}
