package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.I;
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
 * IQ4_NL weights (18-byte blocks: F16 scale, 16 bytes of nibbles indexing a fixed non-linear table) times
 * Q8_0 activations; the table lookup is a lane permute.
 */
final class IQ4_NLMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 18;
    /** llama.cpp's {@code kvalues_iq4nl}. */
    static final int[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    private static final IntVector TABLE = IntVector.fromArray(I, VALUES, 0);

    IQ4_NLMatmul(WorkerPool pool) {
        super(GgmlType.IQ4_NL, ActivationFormat.Q8_0, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int q = qBase + b * 32;
            IntVector n = bytes(w, o + 2);
            IntVector lo = n.and(0xF).selectFrom(TABLE);
            IntVector hi = n.lanewise(VectorOperators.LSHR, 4).and(0xF).selectFrom(TABLE);
            FloatVector s = floats(hi).fma(FloatVector.fromArray(F, a, q + 16), floats(lo).mul(FloatVector.fromArray(F, a, q)));
            acc = s.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc);
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }
}
