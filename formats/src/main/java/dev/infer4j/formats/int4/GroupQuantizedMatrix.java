package dev.infer4j.formats.int4;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * A group-quantized weight matrix over its packed bytes (usually slices of a mapped safetensors file):
 * {@code W[r][c] = scale[g][r] · (q[r][c] − zero[g][r])} with {@code g} the group of input column {@code c}.
 * Row {@code r} is an output feature and column {@code c} an input feature, as in {@code nn.Linear.weight}.
 *
 * <p>The accessors unpack single values and serve as the reference the matmul kernels are tested against; the
 * kernels read the same bytes in place.
 *
 * @param name        a name for error messages (the tensor prefix, e.g. {@code model.layers.0.self_attn.q_proj})
 * @param layout      how the words are packed
 * @param bits        bits per quantized value: 2, 4 or 8 for GPTQ, 4 for AWQ
 * @param rows        output features
 * @param cols        input features
 * @param groupSize   inputs per group ({@code cols} for one group per row, AutoGPTQ's {@code group_size = -1})
 * @param zeroOffset  added to each stored zero point: 1 for AutoGPTQ's v1 checkpoints, which store zero − 1
 * @param qweight     the packed values, little-endian 32-bit words (see {@link PackedLayout})
 * @param qzeros      the packed zero points
 * @param scales      F16 scales, {@code [groups][rows]}
 * @param groupIndex  GPTQ's {@code g_idx} as little-endian int32, one group per input column; {@code null} when
 *                    column {@code c} is in group {@code c / groupSize}
 */
public record GroupQuantizedMatrix(String name, PackedLayout layout, int bits, int rows, int cols, int groupSize,
                                   int zeroOffset, MemorySegment qweight, MemorySegment qzeros, MemorySegment scales,
                                   MemorySegment groupIndex) {

    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Checks that every segment has the size the shape requires.
     *
     * @throws IllegalArgumentException naming the matrix and the part that does not fit
     */
    public GroupQuantizedMatrix {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(qweight, "qweight");
        Objects.requireNonNull(qzeros, "qzeros");
        Objects.requireNonNull(scales, "scales");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(name + ": shape must be positive, got " + rows + "x" + cols);
        }
        if (groupSize <= 0 || groupSize > cols) {
            throw new IllegalArgumentException(name + ": group size must be in 1.." + cols + ", got " + groupSize);
        }
        int pack;
        switch (layout) {
            case GPTQ -> {
                if (bits != 2 && bits != 4 && bits != 8) {
                    throw new IllegalArgumentException(name + ": GPTQ packing of " + bits + "-bit values is not supported; supported: 2, 4, 8");
                }
                pack = 32 / bits;
                requireMultiple(name, "input features", cols, pack);
                requireMultiple(name, "output features", rows, pack);
            }
            case AWQ_GEMM -> {
                if (bits != 4) {
                    throw new IllegalArgumentException(name + ": AWQ GEMM packing holds 4-bit values, got " + bits);
                }
                if (groupIndex != null) {
                    throw new IllegalArgumentException(name + ": AWQ has no g_idx");
                }
                pack = 8;
                requireMultiple(name, "output features", rows, pack);
            }
            default -> throw new IllegalStateException();
        }
        int groups = (cols + groupSize - 1) / groupSize;
        requireBytes(name, "qweight", qweight, (long) rows * cols / pack * 4);
        requireBytes(name, "qzeros", qzeros, (long) groups * rows / pack * 4);
        requireBytes(name, "scales", scales, (long) groups * rows * 2);
        if (groupIndex != null) {
            requireBytes(name, "g_idx", groupIndex, (long) cols * 4);
            for (int c = 0; c < cols; c++) {
                int g = groupIndex.getAtIndex(WORD, c);
                if (g < 0 || g >= groups) {
                    throw new IllegalArgumentException(name + ": g_idx[" + c + "] = " + g + " is not one of the "
                            + groups + " groups");
                }
            }
        }
    }

    private static void requireMultiple(String name, String what, int n, int of) {
        if (n % of != 0) {
            throw new IllegalArgumentException(name + ": " + what + " (" + n + ") must be a multiple of " + of);
        }
    }

    private static void requireBytes(String name, String part, MemorySegment s, long bytes) {
        if (s.byteSize() != bytes) {
            throw new IllegalArgumentException(name + ": " + part + " must hold " + bytes + " bytes for this shape, holds " + s.byteSize());
        }
    }

    /** Quantized values per 32-bit word. */
    public int valuesPerWord() {
        return 32 / bits;
    }

    /** Number of groups (rows of {@code scales}). */
    public int groups() {
        return (cols + groupSize - 1) / groupSize;
    }

    /** The group of input column {@code col}. */
    public int groupOf(int col) {
        return groupIndex == null ? col / groupSize : groupIndex.getAtIndex(WORD, col);
    }

    /** Whether every column {@code c} lies in group {@code c / groupSize} (always so without a {@code g_idx}). */
    public boolean hasConsecutiveGroups() {
        if (groupIndex == null) {
            return true;
        }
        for (int c = 0; c < cols; c++) {
            if (groupIndex.getAtIndex(WORD, c) != c / groupSize) {
                return false;
            }
        }
        return true;
    }

    /** The stored (unsigned) quantized value of row {@code row}, column {@code col}. */
    public int quant(int row, int col) {
        int mask = (1 << bits) - 1;
        return switch (layout) {
            case GPTQ -> {
                int pack = valuesPerWord();
                int word = qweight.getAtIndex(WORD, (long) (col / pack) * rows + row);
                yield (word >>> (bits * (col % pack))) & mask;
            }
            case AWQ_GEMM -> {
                int word = qweight.getAtIndex(WORD, (long) col * (rows / 8) + row / 8);
                yield (word >>> (4 * PackedLayout.awqNibbleOf(row % 8))) & mask;
            }
        };
    }

    /** The zero point of row {@code row} in group {@code group}, {@link #zeroOffset} included. */
    public int zero(int group, int row) {
        int mask = (1 << bits) - 1;
        int pack = valuesPerWord();
        int word = qzeros.getAtIndex(WORD, (long) group * (rows / pack) + row / pack);
        int shift = layout == PackedLayout.GPTQ ? bits * (row % pack) : 4 * PackedLayout.awqNibbleOf(row % 8);
        return ((word >>> shift) & mask) + zeroOffset;
    }

    /** The scale of row {@code row} in group {@code group}. */
    public float scale(int group, int row) {
        return Float.float16ToFloat(scales.getAtIndex(HALF, (long) group * rows + row));
    }

    /** {@code W[row][col]} as a float. */
    public float dequantize(int row, int col) {
        int g = groupOf(col);
        return scale(g, row) * (quant(row, col) - zero(g, row));
    }

    /** Writes row {@code row} ({@link #cols} values) to {@code dst} from {@code offset}. */
    public void dequantizeRow(int row, float[] dst, int offset) {
        for (int c = 0; c < cols; c++) {
            dst[offset + c] = dequantize(row, c);
        }
    }
}
