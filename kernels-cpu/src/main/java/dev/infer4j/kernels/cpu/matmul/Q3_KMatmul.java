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
 * Q3_K weights times Q8_K activations. A 110-byte super-block: 32 bytes of high-bit masks, 64 bytes of 2-bit
 * values, twelve bytes packing sixteen 6-bit scales (minus 32), F16 {@code d}. Value {@code 128h + 32s + l}
 * is bits {@code 2s..2s+1} of byte {@code 32h + l}, minus 4 unless bit {@code 4h + s} of mask byte {@code l}
 * is set.
 */
final class Q3_KMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 110;

    Q3_KMatmul(WorkerPool pool) {
        super(GgmlType.Q3_K, ActivationFormat.Q8_K, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        float[] a = in.values();
        float[] ds = in.scales();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int a0 = w.get(Lanes.INT, o + 96);
            int a1 = w.get(Lanes.INT, o + 100);
            int tmp = w.get(Lanes.INT, o + 104);
            // scales 0-3, 4-7, 8-11, 12-15, one per byte, each 0..63
            int s0 = (a0 & 0x0f0f0f0f) | ((tmp & 0x03030303) << 4);
            int s1 = (a1 & 0x0f0f0f0f) | (((tmp >>> 2) & 0x03030303) << 4);
            int s2 = ((a0 >>> 4) & 0x0f0f0f0f) | (((tmp >>> 4) & 0x03030303) << 4);
            int s3 = ((a1 >>> 4) & 0x0f0f0f0f) | (((tmp >>> 6) & 0x03030303) << 4);
            IntVector m0 = bytes(w, o);
            IntVector m1 = bytes(w, o + 16);
            FloatVector blk = FloatVector.zero(F);
            for (int h = 0; h < 2; h++) {
                IntVector q0 = bytes(w, o + 32 + 32 * h);
                IntVector q1 = bytes(w, o + 48 + 32 * h);
                for (int s = 0; s < 4; s++) {
                    int j = 8 * h + 2 * s;
                    int words = j < 4 ? s0 : j < 8 ? s1 : j < 12 ? s2 : s3;
                    int sc0 = ((words >>> (8 * (j & 3))) & 0xFF) - 32;
                    int sc1 = ((words >>> (8 * ((j + 1) & 3))) & 0xFF) - 32;
                    int bit = 4 * h + s;
                    IntVector v0 = q0.lanewise(VectorOperators.LSHR, 2 * s).and(3)
                            .or(m0.lanewise(VectorOperators.LSHR, bit).and(1).lanewise(VectorOperators.LSHL, 2)).sub(4);
                    IntVector v1 = q1.lanewise(VectorOperators.LSHR, 2 * s).and(3)
                            .or(m1.lanewise(VectorOperators.LSHR, bit).and(1).lanewise(VectorOperators.LSHL, 2)).sub(4);
                    int q = qBase + b * 256 + 128 * h + 32 * s;
                    blk = floats(v0).mul(FloatVector.fromArray(F, a, q)).fma(FloatVector.broadcast(F, (float) sc0), blk);
                    blk = floats(v1).mul(FloatVector.fromArray(F, a, q + 16)).fma(FloatVector.broadcast(F, (float) sc1), blk);
                }
            }
            acc = blk.fma(FloatVector.broadcast(F, half(w, o + 108) * ds[dBase + b]), acc);
        }
        acc.intoArray(lanes, 0);
        return Lanes.sum(lanes, 0);
    }
}
