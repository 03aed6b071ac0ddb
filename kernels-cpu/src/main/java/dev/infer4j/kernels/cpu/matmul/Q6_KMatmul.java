package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.floats;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
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
        float sum = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            sum += half(w, o + 208) * ds[dBase + b] * superBlock(w, o, a, qBase + b * 256);
        }
        return sum;
    }

    /**
     * The scaled integer sum of one super-block, reduced here so that no vector crosses a call boundary
     * (a vector argument or result of a call that is not inlined is boxed).
     */
    private static float superBlock(MemorySegment w, long o, float[] a, int qBlock) {
        FloatVector blk = FloatVector.zero(F);
        for (int k = 0; k < 4; k++) {
            {
                int h = k >> 1;
                int g = k & 1;
                long ql = o + 64 * h + 16 * g;
                IntVector qlA = (IntVector) ByteVector.fromMemorySegment(Lanes.B16, w, ql, Lanes.LE)
                        .convertShape(VectorOperators.B2I, Lanes.I, 0);
                IntVector qlB = (IntVector) ByteVector.fromMemorySegment(Lanes.B16, w, ql + 32, Lanes.LE)
                        .convertShape(VectorOperators.B2I, Lanes.I, 0);
                IntVector qh = (IntVector) ByteVector.fromMemorySegment(Lanes.B16, w, o + 128 + 32 * h + 16 * g, Lanes.LE)
                        .convertShape(VectorOperators.B2I, Lanes.I, 0);
                long sc = o + 192 + 8 * h + g;
                int q = qBlock + 128 * h + 16 * g;
                IntVector v0 = qlA.and(0xF).or(qh.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
                IntVector v1 = qlB.and(0xF).or(qh.and(0xC).lanewise(VectorOperators.LSHL, 2)).sub(32);
                IntVector v2 = qlA.lanewise(VectorOperators.LSHR, 4).and(0xF).or(qh.and(0x30)).sub(32);
                IntVector v3 = qlB.lanewise(VectorOperators.LSHR, 4).and(0xF)
                        .or(qh.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32);
                blk = floats(v0).mul(FloatVector.fromArray(F, a, q)).mul((float) w.get(ValueLayout.JAVA_BYTE, sc)).add(blk);
                blk = floats(v1).mul(FloatVector.fromArray(F, a, q + 32)).mul((float) w.get(ValueLayout.JAVA_BYTE, sc + 2)).add(blk);
                blk = floats(v2).mul(FloatVector.fromArray(F, a, q + 64)).mul((float) w.get(ValueLayout.JAVA_BYTE, sc + 4)).add(blk);
                blk = floats(v3).mul(FloatVector.fromArray(F, a, q + 96)).mul((float) w.get(ValueLayout.JAVA_BYTE, sc + 6)).add(blk);
            }
        }
        return Lanes.sum(blk);
    }
}
