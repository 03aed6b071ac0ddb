package dev.infer4j.formats.quant;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;

import java.lang.foreign.MemorySegment;

/**
 * Decodes ggml blocks to floats exactly as ggml's reference dequantizers ({@code dequantize_row_*}) do: same
 * operations in the same order, so every value is bit-identical to llama.cpp's.
 *
 * <p>Supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL.
 * Other types are refused with an {@link UnsupportedTypeException} naming the type.
 */
public final class Dequantize {
    private Dequantize() {
    }

    /** True if {@link #row} can decode {@code type}. */
    public static boolean supports(GgmlType type) {
        return Codecs.of(type) != null;
    }

    /**
     * Dequantizes {@code count} values (a multiple of the type's block size) starting at byte {@code offset} of
     * {@code src}. Allocates nothing for the block-32 and plain types.
     *
     * @throws UnsupportedTypeException if the type cannot be decoded
     * @throws IllegalArgumentException if {@code count} is not a whole number of blocks
     */
    public static void row(GgmlType type, MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        BlockCodec codec = Codecs.of(type);
        if (codec == null) {
            throw new UnsupportedTypeException(type, "dequantize");
        }
        if (count % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " needs a multiple of " + type.blockSize() + " values, got " + count);
        }
        codec.dequantize(src, offset, dst, dstOffset, count / type.blockSize());
    }

    /**
     * The whole tensor as floats, in storage order (ne[0] fastest). For tests and tools: a model must read its
     * weights in place rather than call this at load time.
     *
     * @throws ModelFormatException if the tensor's type cannot be decoded or it holds more than 2^31 - 1 values
     */
    public static float[] tensor(GgufFile file, GgufTensorInfo tensor) {
        if (!supports(tensor.type())) {
            throw new ModelFormatException(file.path(), file.dataOffset() + tensor.offset(),
                    "tensor '" + tensor.name() + "' has type " + tensor.type() + ", which cannot be dequantized");
        }
        long n = tensor.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(file.path(), file.dataOffset() + tensor.offset(),
                    "tensor '" + tensor.name() + "' has " + n + " values, more than a float[] holds");
        }
        float[] out = new float[(int) n];
        row(tensor.type(), file.tensorData(tensor), 0, out, 0, (int) n);
        return out;
    }
}
