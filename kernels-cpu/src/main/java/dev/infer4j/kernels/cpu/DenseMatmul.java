package dev.infer4j.kernels.cpu;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Matrix products with F32, F16 and BF16 weights. As in ggml, activations meeting F16 (BF16) weights are rounded
 * to F16 (BF16) first; each weight row is widened once and reused for every token.
 */
final class DenseMatmul {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    private float[] row = new float[0];
    private float[] rounded = new float[0];

    static boolean supports(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16;
    }

    /** {@code out[outOffset + t·outStride + r] = Σ_c W[r][c]·x[xOffset + t·xStride + c]}. */
    void multiply(GgmlType type, MemorySegment weights, int rows, int cols, float[] x, int xOffset, int xStride,
                  int tokens, float[] out, int outOffset, int outStride) {
        if (row.length < cols) {
            row = new float[cols];
        }
        float[] in = x;
        int inOffset = xOffset;
        int inStride = xStride;
        if (type != GgmlType.F32) {
            if (rounded.length < tokens * cols) {
                rounded = new float[tokens * cols];
            }
            for (int t = 0; t < tokens; t++) {
                for (int c = 0; c < cols; c++) {
                    float v = x[xOffset + t * xStride + c];
                    rounded[t * cols + c] = type == GgmlType.F16 ? HalfFloats.roundToHalf(v) : HalfFloats.roundToBfloat16(v);
                }
            }
            in = rounded;
            inOffset = 0;
            inStride = cols;
        }
        for (int r = 0; r < rows; r++) {
            widenRow(type, weights, r, cols);
            for (int t = 0; t < tokens; t++) {
                out[outOffset + t * outStride + r] = FloatDot.dot(row, 0, in, inOffset + t * inStride, cols);
            }
        }
    }

    private void widenRow(GgmlType type, MemorySegment weights, int r, int cols) {
        switch (type) {
            case F32 -> MemorySegment.copy(weights, F32, (long) r * cols * 4, row, 0, cols);
            case F16 -> {
                long base = (long) r * cols * 2;
                for (int c = 0; c < cols; c++) {
                    row[c] = Float.float16ToFloat(weights.get(U16, base + 2L * c));
                }
            }
            case BF16 -> {
                long base = (long) r * cols * 2;
                for (int c = 0; c < cols; c++) {
                    row[c] = HalfFloats.fromBfloat16(weights.get(U16, base + 2L * c));
                }
            }
            default -> throw new IllegalArgumentException("no dense matmul for " + type);
        }
    }

    /** Widens row {@code r} of a dense table into {@code dst}. */
    static void readRow(GgmlType type, MemorySegment table, int r, int cols, float[] dst, int dstOffset) {
        switch (type) {
            case F32 -> MemorySegment.copy(table, F32, (long) r * cols * 4, dst, dstOffset, cols);
            case F16 -> {
                long base = (long) r * cols * 2;
                for (int c = 0; c < cols; c++) {
                    dst[dstOffset + c] = Float.float16ToFloat(table.get(U16, base + 2L * c));
                }
            }
            case BF16 -> {
                long base = (long) r * cols * 2;
                for (int c = 0; c < cols; c++) {
                    dst[dstOffset + c] = HalfFloats.fromBfloat16(table.get(U16, base + 2L * c));
                }
            }
            default -> throw new IllegalArgumentException("no dense row read for " + type);
        }
    }
}
