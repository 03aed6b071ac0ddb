package dev.infer4j.kernels;

import dev.infer4j.formats.gguf.GgmlType;

/**
 * A weight matrix (or vector) as the backend holds it: for the CPU backend the quantized blocks where they lie in
 * the mapped model file, for a GPU backend a device copy.
 *
 * <p>The matrix has {@link #rows()} rows of {@link #cols()} values each, stored row after row as GGUF does
 * ({@code ne[0] = cols} innermost). A vector (norm weight, bias) is one row.
 */
public interface Weight {
    /** A name for error messages, usually the GGUF tensor name (with a row range for slices). */
    String name();

    /** Element type of the stored data. */
    GgmlType type();

    /** Number of rows (output features of a matrix product). */
    int rows();

    /** Values per row (input features of a matrix product). */
    int cols();
}
