package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.HalfDotOrder;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * {@link F16Matmul} for 256-bit registers (AVX2), giving its results bit for bit. ggml's four accumulators of
 * eight lanes ({@link HalfDotOrder}) are four vectors here, added as {@code (a0 + a2) + (a1 + a3)} and reduced by
 * {@link HalfDotOrder#reduce8}; the 512-bit kernel keeps the same lanes two by two. The weights widen to floats
 * eight at a time by {@link Lanes256#halfFloats}, the same exact bit moves as {@link Lanes#halfFloats}.
 *
 * <p>{@link #dot4} walks the row twice, once for accumulators 0 and 2 and once for 1 and 3: for four tokens at
 * once all sixteen accumulators and their weight vectors would not fit AVX2's sixteen registers, each walk takes
 * eight and two, and each weight is still widened to floats only once. The second walk reads the row from cache.
 */
final class F16Matmul256 extends BlockMatmul {

    private static final int STEP = HalfDotOrder.STEP;
    private static final int EIGHT = HalfDotOrder.LANES;

    F16Matmul256(WorkerPool pool) {
        super(GgmlType.F16, ActivationFormat.F16, pool, VectorWidth.W256);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        int base = token * cols;
        int whole = cols & -STEP;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = a0;
        FloatVector a2 = a0;
        FloatVector a3 = a0;
        for (int c = 0; c < whole; c += STEP) {
            a0 = Lanes256.halfFloats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), a0);
            a1 = Lanes256.halfFloats(w, rowOffset + 2L * (c + EIGHT)).fma(FloatVector.fromArray(F, a, base + c + EIGHT), a1);
            a2 = Lanes256.halfFloats(w, rowOffset + 2L * (c + 2 * EIGHT)).fma(FloatVector.fromArray(F, a, base + c + 2 * EIGHT), a2);
            a3 = Lanes256.halfFloats(w, rowOffset + 2L * (c + 3 * EIGHT)).fma(FloatVector.fromArray(F, a, base + c + 3 * EIGHT), a3);
        }
        a0.add(a2).add(a1.add(a3)).intoArray(lanes, 0);
        return F16Matmul.tail(w, rowOffset, a, base, whole, cols, HalfDotOrder.reduce8(lanes, 0));
    }

    /** {@link #dot}'s arithmetic for each of four tokens, one weight widening serving all four; a walk per accumulator pair. */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        int b0 = token * cols;
        int b1 = b0 + cols;
        int b2 = b1 + cols;
        int b3 = b2 + cols;
        int whole = cols & -STEP;
        // pair 0 walks accumulators 0 and 2 (columns 0-7 and 16-23 of each step), pair 1 accumulators 1 and 3
        for (int pair = 0; pair < 2; pair++) {
            FloatVector low0 = FloatVector.zero(F);
            FloatVector low1 = low0;
            FloatVector low2 = low0;
            FloatVector low3 = low0;
            FloatVector high0 = low0;
            FloatVector high1 = low0;
            FloatVector high2 = low0;
            FloatVector high3 = low0;
            for (int c = pair * EIGHT; c < whole; c += STEP) {
                FloatVector v = Lanes256.halfFloats(w, rowOffset + 2L * c);
                FloatVector u = Lanes256.halfFloats(w, rowOffset + 2L * (c + 2 * EIGHT));
                low0 = v.fma(FloatVector.fromArray(F, a, b0 + c), low0);
                high0 = u.fma(FloatVector.fromArray(F, a, b0 + c + 2 * EIGHT), high0);
                low1 = v.fma(FloatVector.fromArray(F, a, b1 + c), low1);
                high1 = u.fma(FloatVector.fromArray(F, a, b1 + c + 2 * EIGHT), high1);
                low2 = v.fma(FloatVector.fromArray(F, a, b2 + c), low2);
                high2 = u.fma(FloatVector.fromArray(F, a, b2 + c + 2 * EIGHT), high2);
                low3 = v.fma(FloatVector.fromArray(F, a, b3 + c), low3);
                high3 = u.fma(FloatVector.fromArray(F, a, b3 + c + 2 * EIGHT), high3);
            }
            if (pair == 0) {
                low0.add(high0).intoArray(lanes, 0);
                low1.add(high1).intoArray(lanes, EIGHT);
                low2.add(high2).intoArray(lanes, 2 * EIGHT);
                low3.add(high3).intoArray(lanes, 3 * EIGHT);
            } else {
                // (a0 + a2) from the first walk plus (a1 + a3) from this one
                FloatVector.fromArray(F, lanes, 0).add(low0.add(high0)).intoArray(lanes, 0);
                FloatVector.fromArray(F, lanes, EIGHT).add(low1.add(high1)).intoArray(lanes, EIGHT);
                FloatVector.fromArray(F, lanes, 2 * EIGHT).add(low2.add(high2)).intoArray(lanes, 2 * EIGHT);
                FloatVector.fromArray(F, lanes, 3 * EIGHT).add(low3.add(high3)).intoArray(lanes, 3 * EIGHT);
            }
        }
        out[outIndex] = F16Matmul.tail(w, rowOffset, a, b0, whole, cols, HalfDotOrder.reduce8(lanes, 0));
        out[outIndex + outStride] = F16Matmul.tail(w, rowOffset, a, b1, whole, cols, HalfDotOrder.reduce8(lanes, EIGHT));
        out[outIndex + 2 * outStride] = F16Matmul.tail(w, rowOffset, a, b2, whole, cols, HalfDotOrder.reduce8(lanes, 2 * EIGHT));
        out[outIndex + 3 * outStride] = F16Matmul.tail(w, rowOffset, a, b3, whole, cols, HalfDotOrder.reduce8(lanes, 3 * EIGHT));
    }
}
