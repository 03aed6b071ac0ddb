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
 * Q5_0 weights (22-byte blocks: F16 scale, 32 fifth bits, 16 bytes of nibbles; values minus 16) times Q8_0
 * activations. Bit {@code j} of the 32-bit high word is the fifth bit of value {@code j}.
 */
final class Q5_0Matmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 22;
    /** Per lane j of the low half of a block: j, the position of its fifth bit; the high half adds 16. */
    static final IntVector LOW_SHIFTS = IntVector.fromArray(I, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 0);
    static final IntVector HIGH_SHIFTS = LOW_SHIFTS.add(16);

    Q5_0Matmul(WorkerPool pool) {
        super(GgmlType.Q5_0, ActivationFormat.Q8_0, pool);
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
            IntVector qh = IntVector.broadcast(I, w.get(Lanes.INT, o + 2));
            IntVector n = bytes(w, o + 6);
            IntVector lo = n.and(0xF).or(fifthBits(qh, LOW_SHIFTS)).sub(16);
            IntVector hi = n.lanewise(VectorOperators.LSHR, 4).and(0xF).or(fifthBits(qh, HIGH_SHIFTS)).sub(16);
            FloatVector s = floats(hi).fma(FloatVector.fromArray(F, a, q + 16), floats(lo).mul(FloatVector.fromArray(F, a, q)));
            acc = s.fma(FloatVector.broadcast(F, half(w, o) * ds[dBase + b]), acc);
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

    /** Bit {@code shifts[lane]} of {@code qh} moved to bit 4 (value 16) of each lane. */
    static IntVector fifthBits(IntVector qh, IntVector shifts) {
        return qh.lanewise(VectorOperators.LSHR, shifts).and(1).lanewise(VectorOperators.LSHL, 4);
    }
}
