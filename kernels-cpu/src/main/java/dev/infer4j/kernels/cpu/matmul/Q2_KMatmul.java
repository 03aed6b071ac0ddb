package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.bytes;
import static dev.infer4j.kernels.cpu.matmul.Lanes.floats;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q2_K weights times Q8_K activations. An 84-byte super-block: sixteen bytes of 4-bit scale and 4-bit min
 * per 16 values, 64 bytes of 2-bit values, F16 {@code d} and {@code dmin}. Value {@code 128k + 32j + l} is
 * bits {@code 2j..2j+1} of byte {@code 32k + l}.
 */
final class Q2_KMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 84;

    Q2_KMatmul(WorkerPool pool) {
        super(GgmlType.Q2_K, ActivationFormat.Q8_K, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        float[] a = in.values();
        float[] ds = in.scales();
        int[] bsums = in.blockSums();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dy = ds[dBase + b];
            int sumBase = (qBase + b * 256) / 16;
            int minSum = 0;
            for (int j = 0; j < 16; j++) {
                minSum += bsums[sumBase + j] * ((w.get(ValueLayout.JAVA_BYTE, o + j) & 0xFF) >>> 4);
            }
            mins += half(w, o + 82) * dy * minSum;
            FloatVector blk = FloatVector.zero(F);
            for (int k = 0; k < 2; k++) {
                IntVector q0 = bytes(w, o + 16 + 32 * k);
                IntVector q1 = bytes(w, o + 32 + 32 * k);
                for (int j = 0; j < 4; j++) {
                    int is = 8 * k + 2 * j;
                    int q = qBase + b * 256 + 128 * k + 32 * j;
                    FloatVector v0 = floats(q0.lanewise(VectorOperators.LSHR, 2 * j).and(3));
                    FloatVector v1 = floats(q1.lanewise(VectorOperators.LSHR, 2 * j).and(3));
                    blk = v0.mul(FloatVector.fromArray(F, a, q)).fma(scale(w, o + is), blk);
                    blk = v1.mul(FloatVector.fromArray(F, a, q + 16)).fma(scale(w, o + is + 1), blk);
                }
            }
            acc = blk.fma(FloatVector.broadcast(F, half(w, o + 80) * dy), acc);
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0) - mins;
    }

    private static FloatVector scale(MemorySegment w, long offset) {
        return FloatVector.broadcast(F, (float) (w.get(ValueLayout.JAVA_BYTE, offset) & 0xF));
    }
}
