package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.bytes;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.floats;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Q4_1Matmul} for 256-bit registers (AVX2), where its sixteen-lane vectors would run in the Vector API's
 * slow Java fallback. Each sixteen-lane vector of the 512-bit kernel is kept as a low half (lanes 0..7, nibble
 * bytes 0..7) and a high half (lanes 8..15, bytes 8..15) with the same operations in the same order, so every
 * float lane, and with {@link Lanes#sum}'s tree the row, comes out bit for bit as there.
 */
final class Q4_1Matmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 20;

    Q4_1Matmul256(WorkerPool pool) {
        super(GgmlType.Q4_1, ActivationFormat.Q8_1, pool, VectorWidth.W256);
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
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = FloatVector.zero(F);
        float mins = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int q = qBase + b * 32;
            IntVector nLow = bytes(w, o + 4);
            IntVector nHigh = bytes(w, o + 12);
            FloatVector d = FloatVector.broadcast(F, half(w, o) * ds[dBase + b]);
            FloatVector sLow = floats(nLow.lanewise(VectorOperators.LSHR, 4).and(0xF))
                    .fma(FloatVector.fromArray(F, a, q + 16), floats(nLow.and(0xF)).mul(FloatVector.fromArray(F, a, q)));
            FloatVector sHigh = floats(nHigh.lanewise(VectorOperators.LSHR, 4).and(0xF))
                    .fma(FloatVector.fromArray(F, a, q + 24), floats(nHigh.and(0xF)).mul(FloatVector.fromArray(F, a, q + 8)));
            accLow = sLow.fma(d, accLow);
            accHigh = sHigh.fma(d, accHigh);
            mins += half(w, o + 2) * ss[dBase + b];
        }
        accLow.intoArray(lanes, 0);
        accHigh.intoArray(lanes, 8);
        return Lanes.sum(lanes, 0) + mins;
    }
}
