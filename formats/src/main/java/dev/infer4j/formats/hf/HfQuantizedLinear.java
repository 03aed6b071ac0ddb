package dev.infer4j.formats.hf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.formats.safetensors.SafetensorsCheckpoint;
import dev.infer4j.formats.safetensors.SafetensorsDType;
import dev.infer4j.formats.safetensors.SafetensorsTensor;

import java.util.Arrays;

/**
 * Binds the tensors of one quantized linear layer ({@code prefix.qweight}, {@code .qzeros}, {@code .scales} and
 * GPTQ's {@code .g_idx}) to a {@link GroupQuantizedMatrix} over the mapped bytes, checking every dtype and shape.
 */
public final class HfQuantizedLinear {
    private HfQuantizedLinear() {
    }

    /** Whether the checkpoint stores {@code prefix} as a quantized layer. */
    public static boolean isQuantized(SafetensorsCheckpoint checkpoint, String prefix) {
        return checkpoint.tensor(prefix + ".qweight").isPresent();
    }

    /**
     * The quantized layer {@code prefix} with {@code rows} outputs and {@code cols} inputs.
     *
     * @throws ModelFormatException if a tensor is missing or has the wrong dtype or shape
     */
    public static GroupQuantizedMatrix read(SafetensorsCheckpoint checkpoint, String prefix, HfQuantization q,
                                            int rows, int cols) {
        int pack = 32 / q.bits();
        int groupSize = q.groupSizeFor(cols);
        int groups = (cols + groupSize - 1) / groupSize;
        SafetensorsTensor qweight = checkpoint.require(prefix + ".qweight");
        SafetensorsTensor qzeros = checkpoint.require(prefix + ".qzeros");
        SafetensorsTensor scales = checkpoint.require(prefix + ".scales");
        SafetensorsTensor gIdx = null;
        if (q.layout() == PackedLayout.GPTQ) {
            requireDivisible(checkpoint, qweight, "input features", cols, pack);
            requireDivisible(checkpoint, qzeros, "output features", rows, pack);
            check(checkpoint, qweight, SafetensorsDType.I32, cols / pack, rows);
            check(checkpoint, qzeros, SafetensorsDType.I32, groups, rows / pack);
            gIdx = checkpoint.tensor(prefix + ".g_idx").orElse(null);
            if (gIdx != null) {
                check(checkpoint, gIdx, SafetensorsDType.I32, cols);
            }
        } else {
            requireDivisible(checkpoint, qweight, "output features", rows, pack);
            check(checkpoint, qweight, SafetensorsDType.I32, cols, rows / pack);
            check(checkpoint, qzeros, SafetensorsDType.I32, groups, rows / pack);
        }
        check(checkpoint, scales, SafetensorsDType.F16, groups, rows);
        try {
            return new GroupQuantizedMatrix(prefix, q.layout(), q.bits(), rows, cols, groupSize, q.zeroOffset(),
                    qweight.data(), qzeros.data(), scales.data(), gIdx == null ? null : gIdx.data());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(checkpoint.directory(), -1, e.getMessage(), e);
        }
    }

    private static void requireDivisible(SafetensorsCheckpoint c, SafetensorsTensor t, String what, int n, int by) {
        if (n % by != 0) {
            throw new ModelFormatException(c.directory(), -1, "tensor '" + t.name() + "': " + what + " (" + n
                    + ") must be a multiple of the " + by + " values packed per 32-bit word");
        }
    }

    private static void check(SafetensorsCheckpoint c, SafetensorsTensor t, SafetensorsDType dtype, long... shape) {
        if (t.dtype() != dtype || !Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(c.directory(), -1, "tensor '" + t.name() + "' is " + t.dtype() + " "
                    + Arrays.toString(t.shape()) + ", expected " + dtype + " " + Arrays.toString(shape));
        }
    }
}
