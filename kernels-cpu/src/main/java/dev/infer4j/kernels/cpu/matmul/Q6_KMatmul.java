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
 * Q6_K weights times Q8_K activations. A 210-byte super-block: 128 bytes of low nibbles, 64 bytes of
 * 2-bit high parts, sixteen int8 scales (one per 16 values), F16 {@code d}; values are 6-bit minus 32. Each
 * 16-lane vector is one sub-block, so its scale applies whole; per lane the scaled sums stay below
 * 16·32·127·128 < 2<sup>24</sup>.
 */
final class Q6_KMatmul extends BlockMatmul {

    private static final int BLOCK_BYTES = 210;

    Q6_KMatmul(WorkerPool pool) {
        super(GgmlType.Q6_K, ActivationFormat.Q8_K, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token) {
        int cols = in.cols();
        int nb = cols / 256;
        float[] a = in.values();
        float[] ds = in.scales();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector acc = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            FloatVector blk = FloatVector.zero(F);
            for (int h = 0; h < 2; h++) {
                for (int g = 0; g < 2; g++) {
                    long ql = o + 64 * h + 16 * g;
                    IntVector qlA = bytes(w, ql);
                    IntVector qlB = bytes(w, ql + 32);
                    IntVector qh = bytes(w, o + 128 + 32 * h + 16 * g);
                    long sc = o + 192 + 8 * h + g;
                    int q = qBase + b * 256 + 128 * h + 16 * g;
                    IntVector v0 = qlA.and(0xF).or(qh.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
                    IntVector v1 = qlB.and(0xF).or(qh.and(0xC).lanewise(VectorOperators.LSHL, 2)).sub(32);
                    IntVector v2 = qlA.lanewise(VectorOperators.LSHR, 4).and(0xF).or(qh.and(0x30)).sub(32);
                    IntVector v3 = qlB.lanewise(VectorOperators.LSHR, 4).and(0xF)
                            .or(qh.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32);
                    blk = floats(v0).mul(FloatVector.fromArray(F, a, q)).fma(scale(w, sc), blk);
                    blk = floats(v1).mul(FloatVector.fromArray(F, a, q + 32)).fma(scale(w, sc + 2), blk);
                    blk = floats(v2).mul(FloatVector.fromArray(F, a, q + 64)).fma(scale(w, sc + 4), blk);
                    blk = floats(v3).mul(FloatVector.fromArray(F, a, q + 96)).fma(scale(w, sc + 6), blk);
                }
            }
            acc = blk.fma(FloatVector.broadcast(F, half(w, o + 208) * ds[dBase + b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector scale(MemorySegment w, long offset) {
        return FloatVector.broadcast(F, w.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset));
    }
}
