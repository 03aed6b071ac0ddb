package dev.infer4j.runtime.model.hf;

/**
 * The oracle's side of an act-order GPTQ layer: AutoGPTQ's v1 dequantization written out value by value from the
 * tensors a checkpoint stores, sharing no code with {@code GroupQuantizedMatrix} or the matmul kernels.
 *
 * <p>{@code qweight[c/(32/bits)][r]} holds input {@code c} of output {@code r} at bit {@code bits·(c mod 32/bits)};
 * {@code qzeros[g][r/(32/bits)]} holds output {@code r}'s stored zero at bit {@code bits·(r mod 32/bits)}, and v1
 * stores zero − 1, so the zero is the stored value plus one; {@code scales[g][r]} is F16. Then
 * {@code W[r][c] = scale[g][r] · (q[r][c] − zero[g][r])} with {@code g = g_idx[c]}. The product of an F16 scale
 * and an integer below 2<sup>bits+1</sup> in magnitude is exact in F32, so the twin holds exactly the values the
 * quantized file means.
 */
final class GptqV1Dequantizer {
    private GptqV1Dequantizer() {
    }

    /** {@code W} as {@code rows × cols} floats, row-major like {@code nn.Linear.weight}. */
    static float[] dequantize(int bits, int rows, int cols, int[] qweight, int[] qzeros, short[] scales, int[] gIdx) {
        int pack = 32 / bits;
        int mask = (1 << bits) - 1;
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int g = gIdx[c];
                int q = (qweight[(c / pack) * rows + r] >>> (bits * (c % pack))) & mask;
                int zero = ((qzeros[g * (rows / pack) + r / pack] >>> (bits * (r % pack))) & mask) + 1;
                float scale = Float.float16ToFloat(scales[g * rows + r]);
                w[r * cols + c] = scale * (q - zero);
            }
        }
        return w;
    }
}
