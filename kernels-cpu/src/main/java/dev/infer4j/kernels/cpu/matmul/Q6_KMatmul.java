package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
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
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
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
     * The scaled integer sum of one super-block, reduced here so that no vector crosses a call boundary (a
     * vector argument or result of a call that is not inlined is boxed). One loop turn per 16 values keeps
     * the parsed body small: C2 stops inlining, and the vector operations stay boxing calls, once a method
     * passes its node budget, while unrolling a small loop later costs nothing against it. The 6-bit values
     * are put together in byte lanes and widened once, straight to floats. The lanes hold exact integers, so
     * they are added as ints, in no particular order.
     */
    private static int superBlock(MemorySegment w, long o, float[] a, int qBlock) {
        FloatVector blk = FloatVector.zero(F);
        for (int j = 0; j < 16; j++) {
            // values 128h + 32s + 16g + l: low bits in nibble s>>1 of ql byte 64h + 32(s&1) + 16g + l,
            // high bits 2s..2s+1 of qh byte 32h + 16g + l, scale 8h + 2s + g
            int h = j >> 3;
            int s = (j >> 1) & 3;
            int g = j & 1;
            ByteVector ql = ByteVector.fromMemorySegment(Lanes.B16, w, o + 64 * h + 32 * (s & 1) + 16 * g, Lanes.LE);
            ByteVector qh = ByteVector.fromMemorySegment(Lanes.B16, w, o + 128 + 32 * h + 16 * g, Lanes.LE);
            ByteVector v = ql.lanewise(VectorOperators.LSHR, 4 * (s >> 1)).and((byte) 0xF)
                    .or(qh.lanewise(VectorOperators.LSHR, 2 * s).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                    .sub((byte) 32);
            FloatVector scale = FloatVector.broadcast(F, w.get(ValueLayout.JAVA_BYTE, o + 192 + 8 * h + 2 * s + g));
            blk = ((FloatVector) v.convertShape(VectorOperators.B2F, F, 0))
                    .mul(FloatVector.fromArray(F, a, qBlock + 128 * h + 32 * s + 16 * g)).fma(scale, blk);
        }
        return ((IntVector) blk.convert(VectorOperators.F2I, 0)).reduceLanes(VectorOperators.ADD);
    }
}
