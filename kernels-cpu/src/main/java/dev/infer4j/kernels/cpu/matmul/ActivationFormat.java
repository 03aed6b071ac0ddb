package dev.infer4j.kernels.cpu.matmul;

/**
 * The form activations take before a weight type's dot products, following llama.cpp's {@code vec_dot_type}.
 */
public enum ActivationFormat {
    /** Plain floats (F32 weights). */
    F32(1),
    /** Floats rounded to half precision (F16 weights). */
    F16(1),
    /** Floats rounded to bfloat16 (BF16 weights). */
    BF16(1),
    /** Blocks of 32 int8 with an F16 scale (Q4_0, Q5_0, Q8_0, IQ4_NL weights). */
    Q8_0(32),
    /** Q8_0 plus the F16 product of scale and quant sum (Q4_1, Q5_1 weights). */
    Q8_1(32),
    /** Blocks of 256 int8 with a float scale and sums of each 16 quants (Q2_K to Q6_K weights). */
    Q8_K(256);

    private final int blockSize;

    ActivationFormat(int blockSize) {
        this.blockSize = blockSize;
    }

    /** Values per block (1 for the plain formats). */
    public int blockSize() {
        return blockSize;
    }
}
