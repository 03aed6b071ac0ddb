package dev.infer4j.formats.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.formats.SegmentChannels;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a {@code .safetensors} file: tensors in insertion order, the header padded with spaces to 8 bytes.
 *
 * <p>Tensor bytes may be supplied lazily ({@link #add(String, SafetensorsDType, long[], Supplier)}): each supplier
 * runs once, when the writer reaches its tensor, so a tool can generate a large checkpoint one tensor at a time.
 */
public final class SafetensorsWriter {
    private record Entry(String name, SafetensorsDType dtype, long[] shape, long byteSize, Supplier<MemorySegment> data) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds a tensor; {@code shape} is outermost first and must match {@code data}'s size. */
    public SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, MemorySegment data) {
        long bytes = byteSize(dtype, shape);
        if (bytes != data.byteSize()) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes do not fit " + dtype
                    + " " + Arrays.toString(shape));
        }
        entries.add(new Entry(name, dtype, shape.clone(), bytes, () -> data));
        return this;
    }

    /**
     * Adds a tensor whose bytes are produced when the file is written.
     *
     * @param shape outermost first
     * @param data  called once during {@link #write}; must return exactly the bytes {@code dtype} and
     *              {@code shape} call for
     */
    public SafetensorsWriter add(String name, SafetensorsDType dtype, long[] shape, Supplier<MemorySegment> data) {
        entries.add(new Entry(name, dtype, shape.clone(), byteSize(dtype, shape), data));
        return this;
    }

    private static long byteSize(SafetensorsDType dtype, long[] shape) {
        long elements = 1;
        for (long d : shape) {
            elements = Math.multiplyExact(elements, d);
        }
        return Math.multiplyExact(elements, (long) dtype.size());
    }

    /** Adds a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Writes the file, replacing any existing one. */
    public void write(Path path) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : entries) {
            ObjectNode t = header.putObject(e.name);
            t.put("dtype", e.dtype.name());
            var shape = t.putArray("shape");
            for (long d : e.shape) {
                shape.add(d);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.byteSize);
            offset += e.byteSize;
        }
        byte[] text = json.writeValueAsBytes(header);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(text);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            SegmentChannels.writeFully(ch, head);
            for (Entry e : entries) {
                MemorySegment bytes = e.data.get();
                if (bytes.byteSize() != e.byteSize) {
                    throw new IllegalStateException("tensor " + e.name + " supplied " + bytes.byteSize()
                            + " bytes, expected " + e.byteSize);
                }
                SegmentChannels.writeFully(ch, bytes);
            }
        }
    }
}
