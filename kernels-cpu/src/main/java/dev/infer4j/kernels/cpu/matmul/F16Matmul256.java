package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * {@link F16Matmul} for 256-bit registers (AVX2), giving its results bit for bit. Each sixteen-column vector of
 * the 512-bit kernel is a low (columns 0–7) and a high (8–15) vector here with the same fused multiply-adds; the
 * even/odd accumulator pairs are added and reduced by {@link Lanes#sum} as there, and tails of fewer than
 * sixteen columns run the same scalar code. The weights widen to floats eight at a time by
 * {@link Lanes256#halfFloats}, the same exact bit moves as {@link Lanes#halfFloats}.
 *
 * <p>{@link #dot4} walks the row twice, once for the low and once for the high eight columns of every sixteen:
 * side by side its sixteen accumulators and four weight vectors would not fit AVX2's sixteen registers, each
 * half alone takes eight and two, and each weight is still widened to floats only once. The second walk reads
 * the row from cache. (Walking it for tokens 0–1 and then 2–3 instead, as {@link F32Matmul256} does, measured the
 * same here and widens every weight twice.)
 */
final class F16Matmul256 extends BlockMatmul {

    /** Columns per vector of the 512-bit kernel, whose order of sums this one keeps. */
    private static final int WIDE = Lanes.LANES;
    private static final int HIGH = Lanes256.LANES;

    F16Matmul256(WorkerPool pool) {
        super(GgmlType.F16, ActivationFormat.F16, pool, VectorWidth.W256);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        int base = token * cols;
        FloatVector lo0 = FloatVector.zero(F);
        FloatVector hi0 = lo0;
        FloatVector lo1 = lo0;
        FloatVector hi1 = lo0;
        int c = 0;
        for (; c + 2 * WIDE <= cols; c += 2 * WIDE) {
            lo0 = Lanes256.halfFloats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), lo0);
            hi0 = Lanes256.halfFloats(w, rowOffset + 2L * (c + HIGH)).fma(FloatVector.fromArray(F, a, base + c + HIGH), hi0);
            lo1 = Lanes256.halfFloats(w, rowOffset + 2L * (c + WIDE)).fma(FloatVector.fromArray(F, a, base + c + WIDE), lo1);
            hi1 = Lanes256.halfFloats(w, rowOffset + 2L * (c + WIDE + HIGH)).fma(FloatVector.fromArray(F, a, base + c + WIDE + HIGH), hi1);
        }
        if (c + WIDE <= cols) {
            lo0 = Lanes256.halfFloats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), lo0);
            hi0 = Lanes256.halfFloats(w, rowOffset + 2L * (c + HIGH)).fma(FloatVector.fromArray(F, a, base + c + HIGH), hi0);
            c += WIDE;
        }
        lo0.add(lo1).intoArray(lanes, 0);
        hi0.add(hi1).intoArray(lanes, HIGH);
        float sum = Lanes.sum(lanes, 0);
        for (; c < cols; c++) {
            sum += Lanes.half(w, rowOffset + 2L * c) * a[base + c];
        }
        return sum;
    }

    /** {@link #dot}'s arithmetic for each of four tokens, one weight load serving all four; a walk per half (see the class comment). */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        int b0 = token * cols;
        int b1 = b0 + cols;
        int b2 = b1 + cols;
        int b3 = b2 + cols;
        int vectorCols = cols / WIDE * WIDE;
        for (int half = 0; half <= HIGH; half += HIGH) {
            // even and odd sixteen-column vectors per token, as in dot; this half's eight lanes of each
            FloatVector e0 = FloatVector.zero(F);
            FloatVector e1 = e0;
            FloatVector e2 = e0;
            FloatVector e3 = e0;
            FloatVector o0 = e0;
            FloatVector o1 = e0;
            FloatVector o2 = e0;
            FloatVector o3 = e0;
            int c = 0;
            for (; c + 2 * WIDE <= cols; c += 2 * WIDE) {
                int at = c + half;
                FloatVector v = Lanes256.halfFloats(w, rowOffset + 2L * at);
                FloatVector u = Lanes256.halfFloats(w, rowOffset + 2L * (at + WIDE));
                e0 = v.fma(FloatVector.fromArray(F, a, b0 + at), e0);
                o0 = u.fma(FloatVector.fromArray(F, a, b0 + at + WIDE), o0);
                e1 = v.fma(FloatVector.fromArray(F, a, b1 + at), e1);
                o1 = u.fma(FloatVector.fromArray(F, a, b1 + at + WIDE), o1);
                e2 = v.fma(FloatVector.fromArray(F, a, b2 + at), e2);
                o2 = u.fma(FloatVector.fromArray(F, a, b2 + at + WIDE), o2);
                e3 = v.fma(FloatVector.fromArray(F, a, b3 + at), e3);
                o3 = u.fma(FloatVector.fromArray(F, a, b3 + at + WIDE), o3);
            }
            if (c + WIDE <= cols) {
                int at = c + half;
                FloatVector v = Lanes256.halfFloats(w, rowOffset + 2L * at);
                e0 = v.fma(FloatVector.fromArray(F, a, b0 + at), e0);
                e1 = v.fma(FloatVector.fromArray(F, a, b1 + at), e1);
                e2 = v.fma(FloatVector.fromArray(F, a, b2 + at), e2);
                e3 = v.fma(FloatVector.fromArray(F, a, b3 + at), e3);
            }
            e0.add(o0).intoArray(lanes, half);
            e1.add(o1).intoArray(lanes, WIDE + half);
            e2.add(o2).intoArray(lanes, 2 * WIDE + half);
            e3.add(o3).intoArray(lanes, 3 * WIDE + half);
        }
        float s0 = Lanes.sum(lanes, 0);
        float s1 = Lanes.sum(lanes, WIDE);
        float s2 = Lanes.sum(lanes, 2 * WIDE);
        float s3 = Lanes.sum(lanes, 3 * WIDE);
        for (int c = vectorCols; c < cols; c++) {
            float v = Lanes.half(w, rowOffset + 2L * c);
            s0 += v * a[b0 + c];
            s1 += v * a[b1 + c];
            s2 += v * a[b2 + c];
            s3 += v * a[b3 + c];
        }
        out[outIndex] = s0;
        out[outIndex + outStride] = s1;
        out[outIndex + 2 * outStride] = s2;
        out[outIndex + 3 * outStride] = s3;
    }
}
