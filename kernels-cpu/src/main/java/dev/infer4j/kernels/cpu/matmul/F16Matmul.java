package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LANES;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.HalfDotOrder;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * F16 weights times activations rounded to F16, summed in {@link HalfDotOrder}: ggml's four accumulators of eight
 * lanes sit here as two sixteen-lane vectors, {@code front} holding accumulators 0 and 1 (columns 0–15 of each
 * step of 32) and {@code back} accumulators 2 and 3 (columns 16–31). Their sum puts {@code a0 + a2} in lanes 0–7
 * and {@code a1 + a3} in lanes 8–15, which {@link HalfDotOrder#reduce16} adds as ggml does; columns after the last
 * whole step are added in double.
 */
final class F16Matmul extends BlockMatmul {

    private static final int STEP = HalfDotOrder.STEP;

    F16Matmul(WorkerPool pool) {
        super(GgmlType.F16, ActivationFormat.F16, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        int base = token * cols;
        int whole = cols & -STEP;
        FloatVector front = FloatVector.zero(F);
        FloatVector back = front;
        for (int c = 0; c < whole; c += STEP) {
            front = Lanes.halfFloats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), front);
            back = Lanes.halfFloats(w, rowOffset + 2L * (c + LANES)).fma(FloatVector.fromArray(F, a, base + c + LANES), back);
        }
        front.add(back).intoArray(lanes, 0);
        return tail(w, rowOffset, a, base, whole, cols, HalfDotOrder.reduce16(lanes, 0));
    }

    /** {@link #dot}'s arithmetic for each of four tokens, one weight load serving all four. */
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
        FloatVector front0 = FloatVector.zero(F);
        FloatVector front1 = front0;
        FloatVector front2 = front0;
        FloatVector front3 = front0;
        FloatVector back0 = front0;
        FloatVector back1 = front0;
        FloatVector back2 = front0;
        FloatVector back3 = front0;
        for (int c = 0; c < whole; c += STEP) {
            FloatVector v = Lanes.halfFloats(w, rowOffset + 2L * c);
            FloatVector u = Lanes.halfFloats(w, rowOffset + 2L * (c + LANES));
            front0 = v.fma(FloatVector.fromArray(F, a, b0 + c), front0);
            back0 = u.fma(FloatVector.fromArray(F, a, b0 + c + LANES), back0);
            front1 = v.fma(FloatVector.fromArray(F, a, b1 + c), front1);
            back1 = u.fma(FloatVector.fromArray(F, a, b1 + c + LANES), back1);
            front2 = v.fma(FloatVector.fromArray(F, a, b2 + c), front2);
            back2 = u.fma(FloatVector.fromArray(F, a, b2 + c + LANES), back2);
            front3 = v.fma(FloatVector.fromArray(F, a, b3 + c), front3);
            back3 = u.fma(FloatVector.fromArray(F, a, b3 + c + LANES), back3);
        }
        front0.add(back0).intoArray(lanes, 0);
        front1.add(back1).intoArray(lanes, LANES);
        front2.add(back2).intoArray(lanes, 2 * LANES);
        front3.add(back3).intoArray(lanes, 3 * LANES);
        out[outIndex] = tail(w, rowOffset, a, b0, whole, cols, HalfDotOrder.reduce16(lanes, 0));
        out[outIndex + outStride] = tail(w, rowOffset, a, b1, whole, cols, HalfDotOrder.reduce16(lanes, LANES));
        out[outIndex + 2 * outStride] = tail(w, rowOffset, a, b2, whole, cols, HalfDotOrder.reduce16(lanes, 2 * LANES));
        out[outIndex + 3 * outStride] = tail(w, rowOffset, a, b3, whole, cols, HalfDotOrder.reduce16(lanes, 3 * LANES));
    }

    /**
     * {@link #dot4} for two rows at once, each activation vector loaded once for both: four tokens' activations of
     * a 2048-wide row fill L1, so {@link #dot4} fetched every one from L2 (the F32 kernel's reason, measured there).
     * Each row and token keeps {@link #dot}'s accumulators and order.
     */
    @Override
    void dot4TwoRows(MemorySegment w, long rowOffset, long rowBytes, PreparedInput in, int token, float[] out,
                     int outIndex, int outStride, float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        int b0 = token * cols;
        int b1 = b0 + cols;
        int b2 = b1 + cols;
        int b3 = b2 + cols;
        long r1 = rowOffset + rowBytes;
        int whole = cols & -STEP;
        FloatVector front0 = FloatVector.zero(F);
        FloatVector front1 = front0;
        FloatVector front2 = front0;
        FloatVector front3 = front0;
        FloatVector back0 = front0;
        FloatVector back1 = front0;
        FloatVector back2 = front0;
        FloatVector back3 = front0;
        FloatVector nextFront0 = front0;
        FloatVector nextFront1 = front0;
        FloatVector nextFront2 = front0;
        FloatVector nextFront3 = front0;
        FloatVector nextBack0 = front0;
        FloatVector nextBack1 = front0;
        FloatVector nextBack2 = front0;
        FloatVector nextBack3 = front0;
        for (int c = 0; c < whole; c += STEP) {
            FloatVector v = Lanes.halfFloats(w, rowOffset + 2L * c);
            FloatVector u = Lanes.halfFloats(w, rowOffset + 2L * (c + LANES));
            FloatVector y = Lanes.halfFloats(w, r1 + 2L * c);
            FloatVector z = Lanes.halfFloats(w, r1 + 2L * (c + LANES));
            FloatVector x = FloatVector.fromArray(F, a, b0 + c);
            front0 = v.fma(x, front0);
            nextFront0 = y.fma(x, nextFront0);
            x = FloatVector.fromArray(F, a, b0 + c + LANES);
            back0 = u.fma(x, back0);
            nextBack0 = z.fma(x, nextBack0);
            x = FloatVector.fromArray(F, a, b1 + c);
            front1 = v.fma(x, front1);
            nextFront1 = y.fma(x, nextFront1);
            x = FloatVector.fromArray(F, a, b1 + c + LANES);
            back1 = u.fma(x, back1);
            nextBack1 = z.fma(x, nextBack1);
            x = FloatVector.fromArray(F, a, b2 + c);
            front2 = v.fma(x, front2);
            nextFront2 = y.fma(x, nextFront2);
            x = FloatVector.fromArray(F, a, b2 + c + LANES);
            back2 = u.fma(x, back2);
            nextBack2 = z.fma(x, nextBack2);
            x = FloatVector.fromArray(F, a, b3 + c);
            front3 = v.fma(x, front3);
            nextFront3 = y.fma(x, nextFront3);
            x = FloatVector.fromArray(F, a, b3 + c + LANES);
            back3 = u.fma(x, back3);
            nextBack3 = z.fma(x, nextBack3);
        }
        front0.add(back0).intoArray(lanes, 0);
        front1.add(back1).intoArray(lanes, LANES);
        front2.add(back2).intoArray(lanes, 2 * LANES);
        front3.add(back3).intoArray(lanes, 3 * LANES);
        out[outIndex] = tail(w, rowOffset, a, b0, whole, cols, HalfDotOrder.reduce16(lanes, 0));
        out[outIndex + outStride] = tail(w, rowOffset, a, b1, whole, cols, HalfDotOrder.reduce16(lanes, LANES));
        out[outIndex + 2 * outStride] = tail(w, rowOffset, a, b2, whole, cols, HalfDotOrder.reduce16(lanes, 2 * LANES));
        out[outIndex + 3 * outStride] = tail(w, rowOffset, a, b3, whole, cols, HalfDotOrder.reduce16(lanes, 3 * LANES));
        nextFront0.add(nextBack0).intoArray(lanes, 0);
        nextFront1.add(nextBack1).intoArray(lanes, LANES);
        nextFront2.add(nextBack2).intoArray(lanes, 2 * LANES);
        nextFront3.add(nextBack3).intoArray(lanes, 3 * LANES);
        out[outIndex + 1] = tail(w, r1, a, b0, whole, cols, HalfDotOrder.reduce16(lanes, 0));
        out[outIndex + 1 + outStride] = tail(w, r1, a, b1, whole, cols, HalfDotOrder.reduce16(lanes, LANES));
        out[outIndex + 1 + 2 * outStride] = tail(w, r1, a, b2, whole, cols, HalfDotOrder.reduce16(lanes, 2 * LANES));
        out[outIndex + 1 + 3 * outStride] = tail(w, r1, a, b3, whole, cols, HalfDotOrder.reduce16(lanes, 3 * LANES));
    }

    /** {@link HalfDotOrder}'s last step: {@code reduced} plus the products of columns {@code from..cols-1}, in double. */
    static float tail(MemorySegment w, long rowOffset, float[] a, int base, int from, int cols, float reduced) {
        double sum = reduced;
        for (int c = from; c < cols; c++) {
            sum += Lanes.half(w, rowOffset + 2L * c) * a[base + c];
        }
        return (float) sum;
    }
}
