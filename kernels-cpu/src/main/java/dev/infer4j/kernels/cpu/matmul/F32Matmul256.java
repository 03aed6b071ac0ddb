package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * {@link F32Matmul} for 256-bit registers (AVX2), giving its results bit for bit. Each sixteen-column vector of
 * the 512-bit kernel is a low (columns 0–7) and a high (8–15) vector here with the same fused multiply-adds; the
 * even/odd accumulator pairs are added and reduced by {@link Lanes#sum} as there, and tails of fewer than
 * sixteen columns run the same scalar code.
 *
 * <p>{@link #dot4} walks the row twice, for tokens 0–1 and then 2–3: all four tokens' sixteen accumulators and
 * the four weight vectors would not fit AVX2's sixteen registers, two tokens' eight do. The second walk reads
 * the row (8 KiB for 2048 columns) from L1. Measured single-threaded on this Zen 3 machine, 2048 columns, this
 * was 1.2x faster than walking the low and the high eight columns of every sixteen separately (which
 * {@link F16Matmul256} does in its own form, to widen each weight only once), and 16 accumulators at once were slower.
 */
final class F32Matmul256 extends BlockMatmul {

    /** Columns per vector of the 512-bit kernel, whose order of sums this one keeps. */
    private static final int WIDE = Lanes.LANES;
    private static final int HIGH = Lanes256.LANES;

    F32Matmul256(WorkerPool pool) {
        super(GgmlType.F32, ActivationFormat.F32, pool, VectorWidth.W256);
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
            lo0 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE).fma(FloatVector.fromArray(F, a, base + c), lo0);
            hi0 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + HIGH), Lanes.LE).fma(FloatVector.fromArray(F, a, base + c + HIGH), hi0);
            lo1 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + WIDE), Lanes.LE).fma(FloatVector.fromArray(F, a, base + c + WIDE), lo1);
            hi1 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + WIDE + HIGH), Lanes.LE).fma(FloatVector.fromArray(F, a, base + c + WIDE + HIGH), hi1);
        }
        if (c + WIDE <= cols) {
            lo0 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE).fma(FloatVector.fromArray(F, a, base + c), lo0);
            hi0 = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + HIGH), Lanes.LE).fma(FloatVector.fromArray(F, a, base + c + HIGH), hi0);
            c += WIDE;
        }
        lo0.add(lo1).intoArray(lanes, 0);
        hi0.add(hi1).intoArray(lanes, HIGH);
        float sum = Lanes.sum(lanes, 0);
        for (; c < cols; c++) {
            sum += w.get(Lanes.FLOAT, rowOffset + 4L * c) * a[base + c];
        }
        return sum;
    }

    /**
     * {@link #dot}'s arithmetic for each of four tokens, in two walks over the row, each serving two tokens
     * (see the class comment); every weight vector loaded serves both.
     */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        float[] a = in.values();
        for (int pair = 0; pair < 4; pair += 2) {
            int b0 = (token + pair) * cols;
            int b1 = b0 + cols;
            // per token, the even and odd sixteen-column vectors of dot, each as a low and a high eight
            FloatVector e0 = FloatVector.zero(F);
            FloatVector e0h = e0;
            FloatVector o0 = e0;
            FloatVector o0h = e0;
            FloatVector e1 = e0;
            FloatVector e1h = e0;
            FloatVector o1 = e0;
            FloatVector o1h = e0;
            int c = 0;
            for (; c + 2 * WIDE <= cols; c += 2 * WIDE) {
                FloatVector v = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE);
                FloatVector vh = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + HIGH), Lanes.LE);
                FloatVector u = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + WIDE), Lanes.LE);
                FloatVector uh = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + WIDE + HIGH), Lanes.LE);
                e0 = v.fma(FloatVector.fromArray(F, a, b0 + c), e0);
                e0h = vh.fma(FloatVector.fromArray(F, a, b0 + c + HIGH), e0h);
                o0 = u.fma(FloatVector.fromArray(F, a, b0 + c + WIDE), o0);
                o0h = uh.fma(FloatVector.fromArray(F, a, b0 + c + WIDE + HIGH), o0h);
                e1 = v.fma(FloatVector.fromArray(F, a, b1 + c), e1);
                e1h = vh.fma(FloatVector.fromArray(F, a, b1 + c + HIGH), e1h);
                o1 = u.fma(FloatVector.fromArray(F, a, b1 + c + WIDE), o1);
                o1h = uh.fma(FloatVector.fromArray(F, a, b1 + c + WIDE + HIGH), o1h);
            }
            if (c + WIDE <= cols) {
                FloatVector v = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * c, Lanes.LE);
                FloatVector vh = FloatVector.fromMemorySegment(F, w, rowOffset + 4L * (c + HIGH), Lanes.LE);
                e0 = v.fma(FloatVector.fromArray(F, a, b0 + c), e0);
                e0h = vh.fma(FloatVector.fromArray(F, a, b0 + c + HIGH), e0h);
                e1 = v.fma(FloatVector.fromArray(F, a, b1 + c), e1);
                e1h = vh.fma(FloatVector.fromArray(F, a, b1 + c + HIGH), e1h);
            }
            // token pair+k's sixteen lanes at lanes[16(pair+k) ..]
            e0.add(o0).intoArray(lanes, pair * WIDE);
            e0h.add(o0h).intoArray(lanes, pair * WIDE + HIGH);
            e1.add(o1).intoArray(lanes, (pair + 1) * WIDE);
            e1h.add(o1h).intoArray(lanes, (pair + 1) * WIDE + HIGH);
        }
        float s0 = Lanes.sum(lanes, 0);
        float s1 = Lanes.sum(lanes, WIDE);
        float s2 = Lanes.sum(lanes, 2 * WIDE);
        float s3 = Lanes.sum(lanes, 3 * WIDE);
        int b0 = token * cols;
        int b1 = b0 + cols;
        int b2 = b1 + cols;
        int b3 = b2 + cols;
        for (int c = cols / WIDE * WIDE; c < cols; c++) {
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
}
