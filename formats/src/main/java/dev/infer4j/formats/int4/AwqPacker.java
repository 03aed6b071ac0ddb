package dev.infer4j.formats.int4;

/**
 * Round-to-nearest 4-bit AWQ quantization with zero points and AutoAWQ's GEMM packing, for writing test
 * checkpoints and fixtures (without AWQ's activation-aware scale search, which changes values, not the layout).
 *
 * <p>Per group and output row: {@code scale = max(max − min, 1e-5)/15} (stored as F16),
 * {@code zero = clamp(−round(min/scale), 0, 15)}, values {@code clamp(round(w/scale) + zero, 0, 15)} with the F16
 * scale. {@code qweight[c][r/8]} holds output {@code 8·(r/8) + ORDER[j]} of input {@code c} in nibble {@code j},
 * {@code ORDER = 0,2,4,6,1,3,5,7}; {@code qzeros[g][r/8]} packs the zero points the same way.
 */
public final class AwqPacker {
    private AwqPacker() {
    }

    /** Quantizes and packs {@code w} ({@code rows} rows of {@code cols} inputs) in groups of {@code groupSize} inputs (-1: one group). */
    public static PackedMatrix pack(float[] w, int rows, int cols, int groupSize) {
        if (rows % 8 != 0 || w.length != rows * cols) {
            throw new IllegalArgumentException("shape " + rows + "x" + cols + " does not fit AWQ packing");
        }
        int gs = groupSize == -1 ? cols : groupSize;
        int groups = (cols + gs - 1) / gs;
        short[] scales = new short[groups * rows];
        int[] zeros = new int[groups * rows];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                float min = Float.POSITIVE_INFINITY;
                float max = Float.NEGATIVE_INFINITY;
                for (int c = g * gs; c < Math.min(cols, (g + 1) * gs); c++) {
                    min = Math.min(min, w[r * cols + c]);
                    max = Math.max(max, w[r * cols + c]);
                }
                float scale = Math.max(max - min, 1e-5f) / 15f;
                scales[g * rows + r] = Float.floatToFloat16(scale);
                zeros[g * rows + r] = Math.clamp(-(int) Math.rint(min / scale), 0, 15);
            }
        }
        int[] quants = new int[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int g = c / gs;
                float s = Float.float16ToFloat(scales[g * rows + r]);
                quants[r * cols + c] = Math.clamp((int) Math.rint(w[r * cols + c] / s) + zeros[g * rows + r], 0, 15);
            }
        }
        int words = rows / 8;
        int[] qweight = new int[cols * words];
        int[] qzeros = new int[groups * words];
        for (int r = 0; r < rows; r++) {
            int shift = 4 * PackedLayout.awqNibbleOf(r % 8);
            for (int c = 0; c < cols; c++) {
                qweight[c * words + r / 8] |= quants[r * cols + c] << shift;
            }
            for (int g = 0; g < groups; g++) {
                qzeros[g * words + r / 8] |= zeros[g * rows + r] << shift;
            }
        }
        return new PackedMatrix(PackedLayout.AWQ_GEMM, 4, rows, cols, gs, 0, qweight, qzeros, scales, null, quants,
                zeros);
    }
}
