package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LANES;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** F16 weights times activations rounded to F16; float lanes, tails of fewer than {@value Lanes#LANES} columns in scalar code. */
final class F16Matmul extends BlockMatmul {

    F16Matmul(WorkerPool pool) {
        super(GgmlType.F16, ActivationFormat.F16, pool);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token) {
        int cols = in.cols();
        float[] a = in.values();
        int base = token * cols;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int c = 0;
        for (; c + 2 * LANES <= cols; c += 2 * LANES) {
            acc0 = Lanes.halfFloats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), acc0);
            acc1 = Lanes.halfFloats(w, rowOffset + 2L * (c + LANES)).fma(FloatVector.fromArray(F, a, base + c + LANES), acc1);
        }
        if (c + LANES <= cols) {
            acc0 = Lanes.halfFloats(w, rowOffset + 2L * c).fma(FloatVector.fromArray(F, a, base + c), acc0);
            c += LANES;
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
            sum += Lanes.half(w, rowOffset + 2L * c) * a[base + c];
        }
        return sum;
    }

    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride) {
        int cols = in.cols();
        float[] a = in.values();
        int b0 = token * cols;
        int b1 = b0 + cols;
        int b2 = b1 + cols;
        int b3 = b2 + cols;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        int c = 0;
        for (; c + LANES <= cols; c += LANES) {
            FloatVector v = Lanes.halfFloats(w, rowOffset + 2L * c);
            acc0 = v.fma(FloatVector.fromArray(F, a, b0 + c), acc0);
            acc1 = v.fma(FloatVector.fromArray(F, a, b1 + c), acc1);
            acc2 = v.fma(FloatVector.fromArray(F, a, b2 + c), acc2);
            acc3 = v.fma(FloatVector.fromArray(F, a, b3 + c), acc3);
        }
        float s0 = acc0.reduceLanes(VectorOperators.ADD);
        float s1 = acc1.reduceLanes(VectorOperators.ADD);
        float s2 = acc2.reduceLanes(VectorOperators.ADD);
        float s3 = acc3.reduceLanes(VectorOperators.ADD);
        for (; c < cols; c++) {
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
