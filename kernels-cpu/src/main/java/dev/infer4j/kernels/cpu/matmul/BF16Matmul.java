package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LANES;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** BF16 weights times activations rounded to BF16; float lanes, tails of fewer than {@value Lanes#LANES} columns in scalar code. */
final class BF16Matmul extends BlockMatmul {

    BF16Matmul(WorkerPool pool) {
        super(GgmlType.BF16, ActivationFormat.BF16, pool);
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
            acc0 = Lanes.bf16Floats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), acc0);
            acc1 = Lanes.bf16Floats(w, rowOffset + 2L * (c + LANES)).fma(FloatVector.fromArray(F, a, base + c + LANES), acc1);
        }
        if (c + LANES <= cols) {
            acc0 = Lanes.bf16Floats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), acc0);
            c += LANES;
        }
        acc0.add(acc1).intoArray(lanes, 0);
        float sum = Lanes.sum(lanes, 0);
        for (; c < cols; c++) {
            sum += Float.intBitsToFloat((w.get(Lanes.HALF, rowOffset + 2L * c) & 0xffff) << 16) * a[base + c];
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
            FloatVector v = Lanes.bf16Floats(w, rowOffset + 2L * c);
            FloatVector u = Lanes.bf16Floats(w, rowOffset + 2L * (c + LANES));
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
            FloatVector v = Lanes.bf16Floats(w, rowOffset + 2L * c);
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
            float v = Float.intBitsToFloat((w.get(Lanes.HALF, rowOffset + 2L * c) & 0xffff) << 16);
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
