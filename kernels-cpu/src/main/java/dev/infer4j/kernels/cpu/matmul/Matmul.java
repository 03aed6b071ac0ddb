package dev.infer4j.kernels.cpu.matmul;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;

/**
 * Product of in-place GGUF weights with a batch of float activations.
 *
 * <p>An instance keeps scratch state for the call in progress: use one instance from one thread at a time
 * (the step loop), or one instance per thread.
 */
public interface Matmul {

    /**
     * {@code out[outOffset + t*outStride + r] = Σ_c W[r,c] · x[xOffset + t*xStride + c]} for {@code 0 ≤ r < rows},
     * {@code 0 ≤ t < tokens}.
     *
     * <p>W: {@code rows} rows of {@code cols} values in this kernel's type, contiguous, starting at byte 0 of
     * {@code weights}. As llama.cpp does, activations are first quantized (Q8_0 for Q4_0/Q5_0/Q8_0/IQ4_NL
     * weights, Q8_1 for Q4_1/Q5_1, Q8_K for Q2_K..Q6_K) or rounded (to F16 for F16 weights, BF16 for BF16)
     * and the dot products are integer block products.
     *
     * @throws IllegalArgumentException if {@code cols} is not a whole number of blocks or a buffer is too small
     */
    void multiply(MemorySegment weights, int rows, int cols, float[] x, int xOffset, int xStride, int tokens,
                  float[] out, int outOffset, int outStride);

    /**
     * The same product from activations already brought into {@link #inputFormat()}; prepare them once and
     * reuse them for every matmul that shares the input.
     *
     * @throws IllegalArgumentException if {@code input} holds another format or another column count
     */
    void multiply(MemorySegment weights, int rows, int cols, PreparedInput input, float[] out, int outOffset,
                  int outStride);

    /** The weight type this kernel reads. */
    GgmlType weightType();

    /** The form the activations take before the dot products. */
    ActivationFormat inputFormat();

    /**
     * The kernel for {@code weightType}, splitting rows over {@code pool}, in this JVM's
     * {@link VectorWidth#detected() vector width}.
     *
     * @throws IllegalArgumentException for a type without a kernel (the message lists the supported ones)
     */
    static Matmul of(GgmlType weightType, WorkerPool pool) {
        return of(weightType, pool, VectorWidth.detected());
    }

    /**
     * The kernel for {@code weightType} written for {@code width}'s registers. Both widths give the same results
     * bit for bit ({@code VectorWidthParityTest}).
     *
     * @throws IllegalArgumentException for a type without a kernel (the message lists the supported ones)
     */
    static Matmul of(GgmlType weightType, WorkerPool pool, VectorWidth width) {
        return switch (width) {
            case W512 -> switch (weightType) {
                case F32 -> new F32Matmul(pool);
                case F16 -> new F16Matmul(pool);
                case BF16 -> new BF16Matmul(pool);
                case Q8_0 -> new Q8_0Matmul(pool);
                case Q4_0 -> new Q4_0Matmul(pool);
                case Q4_1 -> new Q4_1Matmul(pool);
                case Q5_0 -> new Q5_0Matmul(pool);
                case Q5_1 -> new Q5_1Matmul(pool);
                case IQ4_NL -> new IQ4_NLMatmul(pool);
                case Q2_K -> new Q2_KMatmul(pool);
                case Q3_K -> new Q3_KMatmul(pool);
                case Q4_K -> new Q4_KMatmul(pool);
                case Q5_K -> new Q5_KMatmul(pool);
                case Q6_K -> new Q6_KMatmul(pool);
                default -> throw unsupported(weightType);
            };
            case W256 -> switch (weightType) {
                case F32 -> new F32Matmul256(pool);
                case F16 -> new F16Matmul256(pool);
                case BF16 -> new BF16Matmul256(pool);
                case Q8_0 -> new Q8_0Matmul256(pool);
                case Q4_0 -> new Q4_0Matmul256(pool);
                case Q4_1 -> new Q4_1Matmul256(pool);
                case Q5_0 -> new Q5_0Matmul256(pool);
                case Q5_1 -> new Q5_1Matmul256(pool);
                case IQ4_NL -> new IQ4_NLMatmul256(pool);
                case Q2_K -> new Q2_KMatmul256(pool);
                case Q3_K -> new Q3_KMatmul256(pool);
                case Q4_K -> new Q4_KMatmul256(pool);
                case Q5_K -> new Q5_KMatmul256(pool);
                case Q6_K -> new Q6_KMatmul256(pool);
                default -> throw unsupported(weightType);
            };
        };
    }

    private static IllegalArgumentException unsupported(GgmlType weightType) {
        return new IllegalArgumentException("no matmul kernel for weight type " + weightType
                + "; supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K");
    }
}
