package dev.infer4j.kernels.cpu.matmul;

import java.lang.foreign.MemorySegment;

/**
 * A weight type of 32-value blocks with Q8_0 activations whose rows {@link DecodedTile} can multiply once decoded
 * into floats. Implemented by the type's {@link BlockMatmul}; decoding runs once per row and task, outside the
 * hot loop.
 */
interface RowDecoder {

    /**
     * Decodes the {@code cols / 32} blocks of the row at byte {@code rowOffset}: block {@code b}'s integer weights
     * {@code 0..31} as floats to {@code values[valuesAt + 32b ..]} and its scale to {@code scales[scalesAt + b]},
     * the values {@link BlockMatmul#dot} multiplies.
     */
    void decodeRow(MemorySegment w, long rowOffset, int cols, float[] values, int valuesAt, float[] scales,
                   int scalesAt);
}
