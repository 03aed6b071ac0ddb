package dev.infer4j.formats.int4;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * What a packer produced: the tensors a checkpoint stores, plus the unpacked integers it packed, so a test can
 * check an unpacker against them.
 *
 * @param layout    the packing
 * @param bits      bits per value
 * @param rows      output features
 * @param cols      input features
 * @param groupSize inputs per group (the whole row for a group size of -1)
 * @param zeroOffset what an unpacker adds to a stored zero (1 for GPTQ v1)
 * @param qweight   the packed words, in the tensor's row-major order
 * @param qzeros    the packed zero points (stored values, i.e. minus {@code zeroOffset})
 * @param scales    F16 scales {@code [groups][rows]}
 * @param groupIndex GPTQ's {@code g_idx} (null for AWQ)
 * @param quants    the quantized values {@code [rows][cols]}
 * @param zeros     the zero points {@code [groups][rows]} quantization used; GPTQ v1 cannot store a zero of 0
 *                  (AutoGPTQ's known limitation: it reads back as 2<sup>bits</sup>)
 */
public record PackedMatrix(PackedLayout layout, int bits, int rows, int cols, int groupSize, int zeroOffset,
                           int[] qweight, int[] qzeros, short[] scales, int[] groupIndex, int[] quants, int[] zeros) {

    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The shape safetensors gives {@code qweight}. */
    public long[] qweightShape() {
        return layout == PackedLayout.GPTQ ? new long[]{cols / (32 / bits), rows} : new long[]{cols, rows / 8};
    }

    /** The shape safetensors gives {@code qzeros}. */
    public long[] qzerosShape() {
        return new long[]{scales.length / rows, rows / (32 / bits)};
    }

    /** The shape safetensors gives {@code scales}. */
    public long[] scalesShape() {
        return new long[]{scales.length / rows, rows};
    }

    /** Little-endian bytes of {@code qweight}, in {@code arena}. */
    public MemorySegment qweightBytes(Arena arena) {
        return words(arena, qweight);
    }

    /** Little-endian bytes of {@code qzeros}, in {@code arena}. */
    public MemorySegment qzerosBytes(Arena arena) {
        return words(arena, qzeros);
    }

    /** Little-endian bytes of {@code g_idx}, in {@code arena}, or null. */
    public MemorySegment groupIndexBytes(Arena arena) {
        return groupIndex == null ? null : words(arena, groupIndex);
    }

    /** Little-endian F16 bytes of {@code scales}, in {@code arena}. */
    public MemorySegment scalesBytes(Arena arena) {
        MemorySegment s = arena.allocate(2L * scales.length, 4);
        for (int i = 0; i < scales.length; i++) {
            s.setAtIndex(HALF, i, scales[i]);
        }
        return s;
    }

    /** The packed tensors as a {@link GroupQuantizedMatrix} over copies in {@code arena}. */
    public GroupQuantizedMatrix toMatrix(String name, Arena arena) {
        return new GroupQuantizedMatrix(name, layout, bits, rows, cols, groupSize, zeroOffset, qweightBytes(arena),
                qzerosBytes(arena), scalesBytes(arena), groupIndexBytes(arena));
    }

    private static MemorySegment words(Arena arena, int[] values) {
        MemorySegment s = arena.allocate(4L * values.length, 4);
        for (int i = 0; i < values.length; i++) {
            s.setAtIndex(WORD, i, values[i]);
        }
        return s;
    }
}
