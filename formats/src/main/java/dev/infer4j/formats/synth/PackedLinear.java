package dev.infer4j.formats.synth;

import dev.infer4j.formats.int4.AwqPacker;
import dev.infer4j.formats.int4.GptqPacker;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.formats.int4.PackedMatrix;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * One linear layer's checkpoint tensors ({@code qweight}, {@code qzeros}, {@code scales} and GPTQ's {@code g_idx}),
 * little-endian, quantized by {@link GptqPacker} or {@link AwqPacker}.
 *
 * <p>Round-to-nearest quantization treats every group on its own, and in both layouts a group's packed words,
 * zero points and scales are contiguous runs of the whole matrix's tensors. So the matrix is packed one group of
 * input columns at a time, on all cores, each group's floats generated just before packing: the whole matrix
 * never exists as floats, and the result is the one packing the whole matrix at once would give.
 *
 * @param qweight    {@code [cols/8][rows]} (GPTQ) or {@code [cols][rows/8]} (AWQ) I32
 * @param qzeros     {@code [groups][rows/8]} I32
 * @param scales     {@code [groups][rows]} F16
 * @param groupIndex {@code [cols]} I32 for GPTQ, null for AWQ
 */
record PackedLinear(MemorySegment qweight, MemorySegment qzeros, MemorySegment scales, MemorySegment groupIndex) {
    private static final int PER_WORD = 32 / Int4Quantization.BITS;
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Produces part of one row of the float matrix. Called concurrently for different columns. */
    @FunctionalInterface
    interface RowSlices {
        /** Writes columns {@code firstCol .. firstCol + count - 1} of row {@code row} into {@code into[offset..]}. */
        void slice(int row, int firstCol, int count, float[] into, int offset);
    }

    /**
     * Quantizes and packs a {@code rows x cols} matrix.
     *
     * @throws IllegalArgumentException if {@code rows} or {@code cols} is not a multiple of 8
     */
    static PackedLinear pack(Int4Quantization q, int rows, int cols, RowSlices source) {
        if (rows % PER_WORD != 0 || cols % PER_WORD != 0) {
            throw new IllegalArgumentException("a " + rows + "x" + cols + " matrix does not fit " + PER_WORD
                    + " values per packed word");
        }
        int groupSize = q.groupSizeFor(cols);
        int groups = (cols + groupSize - 1) / groupSize;
        MemorySegment qweight = bytes((long) rows * cols / PER_WORD * Integer.BYTES);
        MemorySegment qzeros = bytes((long) groups * rows / PER_WORD * Integer.BYTES);
        MemorySegment scales = bytes((long) groups * rows * Short.BYTES);
        IntStream.range(0, groups).parallel().forEach(g -> {
            int firstCol = g * groupSize;
            int width = Math.min(groupSize, cols - firstCol);
            float[] w = new float[rows * width];
            for (int r = 0; r < rows; r++) {
                source.slice(r, firstCol, width, w, r * width);
            }
            PackedMatrix p = q.layout() == PackedLayout.GPTQ
                    ? GptqPacker.pack(w, rows, width, Int4Quantization.BITS, width, q.symmetric(), null, true)
                    : AwqPacker.pack(w, rows, width, width);
            // GPTQ's word rows c/8 and AWQ's input rows c both start this group at word firstCol * rows / 8
            MemorySegment.copy(p.qweight(), 0, qweight, WORD, (long) firstCol * rows / PER_WORD * Integer.BYTES,
                    p.qweight().length);
            MemorySegment.copy(p.qzeros(), 0, qzeros, WORD, (long) g * rows / PER_WORD * Integer.BYTES,
                    p.qzeros().length);
            MemorySegment.copy(p.scales(), 0, scales, HALF, (long) g * rows * Short.BYTES, p.scales().length);
        });
        MemorySegment groupIndex = null;
        if (q.layout() == PackedLayout.GPTQ) {
            groupIndex = bytes((long) cols * Integer.BYTES);
            for (int c = 0; c < cols; c++) {
                groupIndex.setAtIndex(WORD, c, c / groupSize);
            }
        }
        return new PackedLinear(qweight, qzeros, scales, groupIndex);
    }

    /** Heap memory, so the collector frees it as soon as the writer is done with it. */
    private static MemorySegment bytes(long size) {
        return MemorySegment.ofArray(new byte[Math.toIntExact(size)]);
    }

    /** The safetensors shape of {@code qweight}. */
    static long[] qweightShape(PackedLayout layout, int rows, int cols) {
        return layout == PackedLayout.GPTQ ? new long[]{cols / PER_WORD, rows} : new long[]{cols, rows / PER_WORD};
    }

    /** The safetensors shape of {@code qzeros}. */
    static long[] qzerosShape(Int4Quantization q, int rows, int cols) {
        return new long[]{groups(q, cols), rows / PER_WORD};
    }

    /** The safetensors shape of {@code scales}. */
    static long[] scalesShape(Int4Quantization q, int rows, int cols) {
        return new long[]{groups(q, cols), rows};
    }

    private static int groups(Int4Quantization q, int cols) {
        int groupSize = q.groupSizeFor(cols);
        return (cols + groupSize - 1) / groupSize;
    }
}
