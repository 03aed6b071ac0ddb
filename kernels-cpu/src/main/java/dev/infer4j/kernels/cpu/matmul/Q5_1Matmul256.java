package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.floats;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.unsignedBytes;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Q5_1Matmul} for 256-bit registers (AVX2), where its sixteen-lane vectors would run in the Vector API's
 * slow Java fallback. Each sixteen-lane vector of the 512-bit kernel is kept as a low half (lanes 0..7) and a
 * high half (lanes 8..15) with the same operations in the same order, so every float lane, and with
 * {@link Lanes#sum}'s tree the row, comes out bit for bit as there. Its integer values come as
 * {@link Q5_0Matmul256}'s do, by a table of fifth bits, without the bias.
 */
final class Q5_1Matmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 24;
    /** Row b (eight ints at 8b), lane i: 16 · bit i of b (see {@link Q5_0Matmul256}). */
    private static final int[] FIFTH_BITS = Q5_0Matmul256.fifthBits(0);

    Q5_1Matmul256(WorkerPool pool) {
        super(GgmlType.Q5_1, ActivationFormat.Q8_1, pool, VectorWidth.W256);
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
        int[] fifth = FIFTH_BITS;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int q = qBase + b * 32;
            int qh = w.get(Lanes.INT, o + 4);
            IntVector nLow = unsignedBytes(w, o + 8);
            IntVector nHigh = unsignedBytes(w, o + 16);
            // values 0..7, 8..15 (low nibbles) and 16..23, 24..31 (high nibbles)
            IntVector v0 = nLow.and(0xF).add(IntVector.fromArray(I, fifth, (qh & 0xFF) << 3));
            IntVector v8 = nHigh.and(0xF).add(IntVector.fromArray(I, fifth, (qh >>> 5) & 0x7F8));
            IntVector v16 = nLow.lanewise(VectorOperators.LSHR, 4).add(IntVector.fromArray(I, fifth, (qh >>> 13) & 0x7F8));
            IntVector v24 = nHigh.lanewise(VectorOperators.LSHR, 4).add(IntVector.fromArray(I, fifth, (qh >>> 21) & 0x7F8));
            FloatVector d = FloatVector.broadcast(F, half(w, o) * ds[dBase + b]);
            FloatVector sLow = floats(v16).fma(FloatVector.fromArray(F, a, q + 16), floats(v0).mul(FloatVector.fromArray(F, a, q)));
            FloatVector sHigh = floats(v24).fma(FloatVector.fromArray(F, a, q + 24), floats(v8).mul(FloatVector.fromArray(F, a, q + 8)));
            accLow = sLow.fma(d, accLow);
            accHigh = sHigh.fma(d, accHigh);
            mins += half(w, o + 2) * ss[dBase + b];
        }
        accLow.intoArray(lanes, 0);
        accHigh.intoArray(lanes, 8);
        return Lanes.sum(lanes, 0) + mins;
    }
}
