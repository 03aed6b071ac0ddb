package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.stream.LongStream;

/**
 * Quantizes a whole tensor whose rows come from a producer (a dequantizer, a weight generator), in chunks of
 * rows spread over the cores. Only one chunk of floats per worker is alive at a time, so a tensor never exists
 * as a float array; the result is the tensor's encoded bytes. For file tools, not for the step loop (it uses
 * the common fork-join pool).
 */
public final class ParallelQuantizer {
    /** Values per chunk: large enough to amortize scheduling, small enough to stay in cache-sized pieces. */
    private static final int CHUNK_VALUES = 1 << 18;

    /** Produces consecutive rows of a tensor as floats. Called concurrently for disjoint row ranges. */
    @FunctionalInterface
    public interface RowSource {
        /** Writes rows {@code firstRow .. firstRow + count - 1} into {@code into[0 .. count * cols)}. */
        void rows(long firstRow, int count, float[] into);
    }

    private ParallelQuantizer() {
    }

    /**
     * Encodes {@code rows} rows of {@code cols} values into {@code type}.
     *
     * @return the bytes, {@code rows * type.bytesFor(cols)} of them (on the heap when they fit a byte array)
     */
    public static MemorySegment quantize(GgmlType type, long rows, int cols, RowSource source) {
        if (!Quantize.supports(type)) {
            throw new UnsupportedTypeException(type, "quantize to");
        }
        long rowBytes = type.bytesFor(cols);
        long total = Math.multiplyExact(rowBytes, rows);
        MemorySegment out = total <= Integer.MAX_VALUE - 8
                ? MemorySegment.ofArray(new byte[(int) total]) : Arena.ofAuto().allocate(total, 64);
        int rowsPerChunk = (int) Math.max(1, Math.min(rows, CHUNK_VALUES / Math.max(1, cols)));
        long chunks = (rows + rowsPerChunk - 1) / rowsPerChunk;
        LongStream range = LongStream.range(0, chunks);
        if (chunks > 1) {
            range = range.parallel();
        }
        range.forEach(c -> {
            long first = c * rowsPerChunk;
            int count = (int) Math.min(rowsPerChunk, rows - first);
            float[] values = new float[count * cols];
            source.rows(first, count, values);
            Quantize.row(type, values, 0, count * cols, out, first * rowBytes);
        });
        return out;
    }
}
