package dev.infer4j.kernels.cpu.matmul;

import java.lang.foreign.MemorySegment;

/**
 * A weight type of 32-value blocks with Q8_0 activations whose rows a float tile can multiply once decoded
 * (Q8_0 with {@link DecodedTile}, Q4_0 with {@link FoldedTile}). Implemented by the type's {@link BlockMatmul};
 * decoding runs once per row and task, outside the hot loop.
 */
interface RowDecoder {

    /** Fewest tokens for which decoding a task's rows once and running the tile pays. */
    default int minTokens() {
        return BlockMatmul.DECODE_MIN_TOKENS;
    }

    /** Floats {@link #decodeRow} writes to {@code values} for a row of {@code cols}. */
    default int valuesPerRow(int cols) {
        return cols;
    }

    /** Floats {@link #decodeRow} writes to {@code scales} for a row of {@code cols}. */
    default int scalesPerRow(int cols) {
        return cols / 32;
    }

    /**
     * Decodes the {@code cols / 32} blocks of the row at byte {@code rowOffset} into the layout of the type's tile
     * (for {@link DecodedTile}: block {@code b}'s integer weights {@code 0..31} as floats to
     * {@code values[valuesAt + 32b ..]} and its scale to {@code scales[scalesAt + b]}), the values
     * {@link BlockMatmul#dot} multiplies.
     */
    void decodeRow(MemorySegment w, long rowOffset, int cols, float[] values, int valuesAt, float[] scales,
                   int scalesAt);

    /**
     * Multiplies the {@code rows} rows that {@link #decodeRow} left at the start of {@code values} and
     * {@code scales} with every token of {@code in}, row {@code i}'s result for token {@code t} going to
     * {@code out[outIndex + i + t*outStride]}, if the type has a tile of its own over whole batches
     * ({@link FoldedTile}); {@code scratch} holds two arrays of {@link #tileScratch} floats. Returns false,
     * having done nothing, for a type whose rows {@link DecodedTile} takes four tokens at a time.
     */
    default boolean multiplyDecoded(float[] values, float[] scales, int rows, PreparedInput in, float[][] scratch,
                                    float[] out, int outIndex, int outStride) {
        return false;
    }

    /** Floats in each of the two scratch arrays {@link #multiplyDecoded} uses. */
    default int tileScratch() {
        return 0;
    }
}
