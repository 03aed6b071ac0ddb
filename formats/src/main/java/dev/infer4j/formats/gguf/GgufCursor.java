package dev.infer4j.formats.gguf;

import dev.infer4j.formats.ModelFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A bounds-checked little-endian read position over a mapped file. Every read that would pass the end of the
 * file, and every length that claims more bytes than remain, becomes a {@link ModelFormatException} naming the
 * offset, so a corrupt length can never make the reader allocate more than the file holds.
 */
final class GgufCursor {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final MemorySegment data;
    private final Path file;
    private long position;

    GgufCursor(MemorySegment data, Path file) {
        this.data = data;
        this.file = file;
    }

    long position() {
        return position;
    }

    void seek(long position) {
        this.position = position;
    }

    long remaining() {
        return data.byteSize() - position;
    }

    ModelFormatException error(String detail) {
        return new ModelFormatException(file, position, detail);
    }

    ModelFormatException errorAt(long offset, String detail) {
        return new ModelFormatException(file, offset, detail);
    }

    private long take(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw error("truncated: " + what + " needs " + n + " bytes but only " + remaining() + " remain");
        }
        long at = position;
        position += n;
        return at;
    }

    byte u8(String what) {
        return data.get(ValueLayout.JAVA_BYTE, take(1, what));
    }

    short u16(String what) {
        return data.get(I16, take(2, what));
    }

    int u32(String what) {
        return data.get(I32, take(4, what));
    }

    long u64(String what) {
        return data.get(I64, take(8, what));
    }

    float f32(String what) {
        return data.get(F32, take(4, what));
    }

    double f64(String what) {
        return data.get(F64, take(8, what));
    }

    /**
     * Reads a count or length stored as uint64, refusing any value for which the file cannot hold
     * {@code minBytesEach} bytes per item.
     */
    long count(String what, long minBytesEach) {
        long at = position;
        long n = u64(what);
        if (n < 0 || (minBytesEach > 0 && n > remaining() / minBytesEach)) {
            throw errorAt(at, what + " of " + Long.toUnsignedString(n) + " cannot fit in the " + remaining()
                    + " bytes that remain");
        }
        return n;
    }

    String string(String what) {
        long length = count(what + " length", 1);
        long at = take(length, what);
        byte[] bytes = data.asSlice(at, length).toArray(ValueLayout.JAVA_BYTE);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Copies {@code count} little-endian elements into a primitive array ({@code layout} must match it). */
    void bulk(Object dstArray, ValueLayout layout, int count, String what) {
        long at = take((long) count * layout.byteSize(), what);
        MemorySegment.copy(data, layout.withOrder(ByteOrder.LITTLE_ENDIAN), at, dstArray, 0, count);
    }
}
