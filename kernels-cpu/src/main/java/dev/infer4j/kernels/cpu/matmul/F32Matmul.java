package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LANES;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** F32 weights times activations as they are; float lanes, tails of fewer than {@value Lanes#LANES} columns in scalar code. */
final class F32Matmul extends BlockMatmul {

    F32Matmul(WorkerPool pool) {
        super(GgmlType.F32, ActivationFormat.F32, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        int base = token * cols;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= cols; c += 2 * LANES) {
            acc0 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE).fma(FloatVector.fromArray(F, a, base + c), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + LANES), Lanes.LE).fma(FloatVector.fromArray(F, a, base + c + LANES), acc1);
        }
        if (c + LANES <= cols) {
            acc0 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE).fma(FloatVector.fromArray(F, a, base + c), acc0);
            c += LANES;
        }
        acc0.add(acc1).intoArray(lanes, 0);
        float sum = Lanes.sum(lanes, 0);
        for (; c < cols; c++) {
            sum += w.get(Lanes.FLOAT, rowOffset + 4L * c) * a[base + c];
        }
        return sum;
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
        // even and odd vector columns per token, as in dot
        FloatVector e0 = FloatVector.zero(F);
        FloatVector e1 = FloatVector.zero(F);
        FloatVector e2 = FloatVector.zero(F);
        FloatVector e3 = FloatVector.zero(F);
        FloatVector o0 = FloatVector.zero(F);
        FloatVector o1 = FloatVector.zero(F);
        FloatVector o2 = FloatVector.zero(F);
        FloatVector o3 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= cols; c += 2 * LANES) {
            FloatVector v = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE);
            FloatVector u = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + LANES), Lanes.LE);
            e0 = v.fma(FloatVector.fromArray(F, a, b0 + c), e0);
            o0 = u.fma(FloatVector.fromArray(F, a, b0 + c + LANES), o0);
            e1 = v.fma(FloatVector.fromArray(F, a, b1 + c), e1);
            o1 = u.fma(FloatVector.fromArray(F, a, b1 + c + LANES), o1);
            e2 = v.fma(FloatVector.fromArray(F, a, b2 + c), e2);
            o2 = u.fma(FloatVector.fromArray(F, a, b2 + c + LANES), o2);
            e3 = v.fma(FloatVector.fromArray(F, a, b3 + c), e3);
            o3 = u.fma(FloatVector.fromArray(F, a, b3 + c + LANES), o3);
        }
        if (c + LANES <= cols) {
            FloatVector v = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE);
            e0 = v.fma(FloatVector.fromArray(F, a, b0 + c), e0);
            e1 = v.fma(FloatVector.fromArray(F, a, b1 + c), e1);
            e2 = v.fma(FloatVector.fromArray(F, a, b2 + c), e2);
            e3 = v.fma(FloatVector.fromArray(F, a, b3 + c), e3);
            c += LANES;
        }
        e0.add(o0).intoArray(lanes, 0);
        float s0 = Lanes.sum(lanes, 0);
        e1.add(o1).intoArray(lanes, 0);
        float s1 = Lanes.sum(lanes, 0);
        e2.add(o2).intoArray(lanes, 0);
        float s2 = Lanes.sum(lanes, 0);
        e3.add(o3).intoArray(lanes, 0);
        float s3 = Lanes.sum(lanes, 0);
        for (; c < cols; c++) {
            float v = w.get(Lanes.FLOAT, rowOffset + 4L * c);
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

    /**
     * {@link #dot4} for two rows at once: each activation vector is loaded once for both rows, which halves the
     * activation traffic that bounds {@link #dot4} (a 2048-wide row's four tokens take 32 KiB, all of L1). Each
     * row and token keeps {@link #dot}'s even and odd accumulators and order.
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
        // per token: e and o, the first row's even and odd vector columns as in dot; f and p, the second row's
        FloatVector e0 = FloatVector.zero(F);
        FloatVector e1 = e0;
        FloatVector e2 = e0;
        FloatVector e3 = e0;
        FloatVector o0 = e0;
        FloatVector o1 = e0;
        FloatVector o2 = e0;
        FloatVector o3 = e0;
        FloatVector f0 = e0;
        FloatVector f1 = e0;
        FloatVector f2 = e0;
        FloatVector f3 = e0;
        FloatVector p0 = e0;
        FloatVector p1 = e0;
        FloatVector p2 = e0;
        FloatVector p3 = e0;
        int c = 0;
        for (; c + 2 * LANES <= cols; c += 2 * LANES) {
            FloatVector v = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE);
            FloatVector u = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + LANES), Lanes.LE);
            FloatVector y = FloatVector.fromMemorySegment(F, w, r1 + 4L * c, Lanes.LE);
            FloatVector z = FloatVector.fromMemorySegment(F, w, r1 + 4L * (c + LANES), Lanes.LE);
            FloatVector x = FloatVector.fromArray(F, a, b0 + c);
            e0 = v.fma(x, e0);
            f0 = y.fma(x, f0);
            x = FloatVector.fromArray(F, a, b0 + c + LANES);
            o0 = u.fma(x, o0);
            p0 = z.fma(x, p0);
            x = FloatVector.fromArray(F, a, b1 + c);
            e1 = v.fma(x, e1);
            f1 = y.fma(x, f1);
            x = FloatVector.fromArray(F, a, b1 + c + LANES);
            o1 = u.fma(x, o1);
            p1 = z.fma(x, p1);
            x = FloatVector.fromArray(F, a, b2 + c);
            e2 = v.fma(x, e2);
            f2 = y.fma(x, f2);
            x = FloatVector.fromArray(F, a, b2 + c + LANES);
            o2 = u.fma(x, o2);
            p2 = z.fma(x, p2);
            x = FloatVector.fromArray(F, a, b3 + c);
            e3 = v.fma(x, e3);
            f3 = y.fma(x, f3);
            x = FloatVector.fromArray(F, a, b3 + c + LANES);
            o3 = u.fma(x, o3);
            p3 = z.fma(x, p3);
        }
        if (c + LANES <= cols) {
            FloatVector v = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE);
            FloatVector y = FloatVector.fromMemorySegment(F, w, r1 + 4L * c, Lanes.LE);
            FloatVector x = FloatVector.fromArray(F, a, b0 + c);
            e0 = v.fma(x, e0);
            f0 = y.fma(x, f0);
            x = FloatVector.fromArray(F, a, b1 + c);
            e1 = v.fma(x, e1);
            f1 = y.fma(x, f1);
            x = FloatVector.fromArray(F, a, b2 + c);
            e2 = v.fma(x, e2);
            f2 = y.fma(x, f2);
            x = FloatVector.fromArray(F, a, b3 + c);
            e3 = v.fma(x, e3);
            f3 = y.fma(x, f3);
            c += LANES;
        }
        // per row and token, dot's lane sum and then its scalar tail; written out, as vectors chosen in a loop
        // could be boxed
        int d = c;
        e0.add(o0).intoArray(lanes, 0);
        out[outIndex] = tail(w, rowOffset, a, b0, d, cols, Lanes.sum(lanes, 0));
        e1.add(o1).intoArray(lanes, 0);
        out[outIndex + outStride] = tail(w, rowOffset, a, b1, d, cols, Lanes.sum(lanes, 0));
        e2.add(o2).intoArray(lanes, 0);
        out[outIndex + 2 * outStride] = tail(w, rowOffset, a, b2, d, cols, Lanes.sum(lanes, 0));
        e3.add(o3).intoArray(lanes, 0);
        out[outIndex + 3 * outStride] = tail(w, rowOffset, a, b3, d, cols, Lanes.sum(lanes, 0));
        f0.add(p0).intoArray(lanes, 0);
        out[outIndex + 1] = tail(w, r1, a, b0, d, cols, Lanes.sum(lanes, 0));
        f1.add(p1).intoArray(lanes, 0);
        out[outIndex + 1 + outStride] = tail(w, r1, a, b1, d, cols, Lanes.sum(lanes, 0));
        f2.add(p2).intoArray(lanes, 0);
        out[outIndex + 1 + 2 * outStride] = tail(w, r1, a, b2, d, cols, Lanes.sum(lanes, 0));
        f3.add(p3).intoArray(lanes, 0);
        out[outIndex + 1 + 3 * outStride] = tail(w, r1, a, b3, d, cols, Lanes.sum(lanes, 0));
    }

    /** {@code sum} plus the row's scalar products from column {@code c} on, in {@link #dot}'s order. */
    private static float tail(MemorySegment w, long rowOffset, float[] a, int base, int c, int cols, float sum) {
        for (; c < cols; c++) {
            sum += w.get(Lanes.FLOAT, rowOffset + 4L * c) * a[base + c];
        }
        return sum;
    }
}
