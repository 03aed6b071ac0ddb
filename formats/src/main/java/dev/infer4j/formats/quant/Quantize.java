package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Encodes floats into ggml blocks bit-identically to ggml's reference quantizers: {@code quantize_row_*_ref}
 * for the legacy, K and activation types (what {@code llama-quantize} runs when no importance matrix is given),
 * {@code quantize_iq4_nl} for IQ4_NL, and ggml's F16 / BF16 row conversions.
 *
 * <p>Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL.
 * Every block depends only on its own values, so rows may be quantized in any order and on any thread.
 *
 * <p>The activation types (Q8_0, Q8_1, Q8_K) and the plain and block-32 types allocate nothing; the K-types
 * allocate a few small scratch arrays per call.
 */
public final class Quantize {
    private Quantize() {
    }

    /** True if {@link #row} can encode {@code type}. */
    public static boolean supports(GgmlType type) {
        return Codecs.of(type) != null;
    }

    /**
     * Quantizes {@code count} values (a multiple of the type's block size) from {@code src[srcOffset..]} into
     * {@code dst} starting at byte {@code dstOffset}; writes {@code type.bytesFor(count)} bytes.
     *
     * @throws UnsupportedTypeException if the type cannot be encoded
     * @throws IllegalArgumentException if {@code count} is not a whole number of blocks
     */
    public static void row(GgmlType type, float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        BlockCodec codec = Codecs.of(type);
        if (codec == null) {
            throw new UnsupportedTypeException(type, "quantize to");
        }
        if (count % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " needs a multiple of " + type.blockSize() + " values, got " + count);
        }
        codec.quantize(src, srcOffset, dst, dstOffset, count / type.blockSize());
    }

    /**
     * Quantizes {@code rows} rows of {@code cols} values each (row-major from {@code src[srcOffset]}) and returns
     * the encoded bytes, {@code rows * type.bytesFor(cols)} of them.
     */
    public static byte[] rows(GgmlType type, float[] src, int srcOffset, int rows, int cols) {
        long bytes = Math.multiplyExact(type.bytesFor(cols), (long) rows);
        byte[] out = new byte[Math.toIntExact(bytes)];
        row(type, src, srcOffset, Math.multiplyExact(rows, cols), MemorySegment.ofArray(out), 0);
        return out;
    }
}
