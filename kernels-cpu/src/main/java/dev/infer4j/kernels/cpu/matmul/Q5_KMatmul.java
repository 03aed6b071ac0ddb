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
 * Q5_K weights times Q8_K activations. A 176-byte super-block is Q4_K's layout with 32 bytes of fifth bits
 * between the scales and the nibbles: bit {@code 2c} of byte {@code l} belongs to value {@code 64c + l},
 * bit {@code 2c+1} to value {@code 64c + 32 + l}.
 */
final class Q5_KMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 176;

    Q5_KMatmul(WorkerPool pool) {
        super(GgmlType.Q5_K, ActivationFormat.Q8_K, pool);
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
        float sum = 0f;
        float mins = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dy = ds[dBase + b];
            int w0 = w.get(Lanes.INT, o + 4);
            int w1 = w.get(Lanes.INT, o + 8);
            int w2 = w.get(Lanes.INT, o + 12);
            int scLow = w0 & 0x3f3f3f3f;
            int scHigh = (w2 & 0x0f0f0f0f) | (((w0 >>> 6) & 0x03030303) << 4);
            int mLow = w1 & 0x3f3f3f3f;
            int mHigh = ((w2 >>> 4) & 0x0f0f0f0f) | (((w1 >>> 6) & 0x03030303) << 4);
            mins += half(w, o + 2) * dy * Q4_KMatmul.minSum(bsums, (qBase + b * 256) / 16, mLow, mHigh);
            sum += half(w, o) * dy * superBlock(w, o, a, qBase + b * 256, scLow, scHigh);
        }
        return sum - mins;
    }

    /**
     * The scaled integer sum of one super-block, reduced here so that no vector crosses a call boundary. The
     * lanes hold exact integers, so they are added as ints, in no particular order.
     */
    private static int superBlock(MemorySegment w, long o, float[] a, int qBlock, int scLow, int scHigh) {
        IntVector h0 = bytes(w, o + 16);
        IntVector h1 = bytes(w, o + 32);
        FloatVector blk = FloatVector.zero(F);
        int q = qBlock;
        long qs = o + 48;
        for (int c = 0; c < 4; c++, q += 64, qs += 32) {
            int scales = c < 2 ? scLow : scHigh;
            int shift = (c & 1) * 16;
            float sc0 = (scales >>> shift) & 0xFF;
            float sc1 = (scales >>> (shift + 8)) & 0xFF;
            IntVector n0 = bytes(w, qs);
            IntVector n1 = bytes(w, qs + 16);
            IntVector hb0 = h0.lanewise(VectorOperators.LSHR, 2 * c);
            IntVector hb1 = h1.lanewise(VectorOperators.LSHR, 2 * c);
            IntVector l0 = n0.and(0xF).or(hb0.lanewise(VectorOperators.LSHL, 4).and(0x10));
            IntVector l1 = n1.and(0xF).or(hb1.lanewise(VectorOperators.LSHL, 4).and(0x10));
            IntVector u0 = n0.lanewise(VectorOperators.LSHR, 4).and(0xF).or(hb0.lanewise(VectorOperators.LSHL, 3).and(0x10));
            IntVector u1 = n1.lanewise(VectorOperators.LSHR, 4).and(0xF).or(hb1.lanewise(VectorOperators.LSHL, 3).and(0x10));
            FloatVector t0 = floats(l1).fma(FloatVector.fromArray(F, a, q + 16),
                    floats(l0).mul(FloatVector.fromArray(F, a, q)));
            FloatVector t1 = floats(u1).fma(FloatVector.fromArray(F, a, q + 48),
                    floats(u0).mul(FloatVector.fromArray(F, a, q + 32)));
            blk = t0.fma(FloatVector.broadcast(F, sc0), blk);
            blk = t1.fma(FloatVector.broadcast(F, sc1), blk);
        }
        return ((IntVector) blk.convert(VectorOperators.F2I, 0)).reduceLanes(VectorOperators.ADD);
    }
}
