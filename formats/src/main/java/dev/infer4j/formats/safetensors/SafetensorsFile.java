package dev.infer4j.formats.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code .safetensors} file, mapped read-only: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and byte range, then the data. Tensors are slices of the mapping; nothing is copied.
 *
 * <p>Every defect (short file, impossible header length, bad JSON, unknown dtype, a byte range outside the data
 * or of the wrong size for its shape, overlapping tensors) is a {@link ModelFormatException}.
 */
public final class SafetensorsFile implements AutoCloseable {
    /** The reference implementation refuses headers over 100 MB; so do we, before reading one. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final Arena arena;
    private final Map<String, SafetensorsTensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        if (mapping.byteSize() < 8) {
            throw new ModelFormatException(path, 0, "not a safetensors file: " + mapping.byteSize()
                    + " bytes, the header length alone takes 8");
        }
        long headerLength = mapping.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES || headerLength > mapping.byteSize() - 8) {
            throw new ModelFormatException(path, 0, "header length " + Long.toUnsignedString(headerLength)
                    + " is impossible for a " + mapping.byteSize() + "-byte file (limit " + MAX_HEADER_BYTES + ")");
        }
        JsonNode header;
        try {
            header = JSON.readTree(mapping.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException e) {
            String why = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
            throw new ModelFormatException(path, 8, "header is not valid JSON: " + why, e);
        }
        if (header == null || !header.isObject()) {
            throw new ModelFormatException(path, 8, "header must be a JSON object");
        }
        MemorySegment data = mapping.asSlice(8 + headerLength);
        Map<String, SafetensorsTensor> found = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                readMetadata(e.getValue(), meta);
            } else {
                found.put(e.getKey(), readTensor(e.getKey(), e.getValue(), data));
            }
        }
        checkNoOverlap(found.values(), data);
        this.tensors = Collections.unmodifiableMap(found);
        this.metadata = Collections.unmodifiableMap(meta);
    }

    /** Opens and maps a file. */
    public static SafetensorsFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return new SafetensorsFile(path, arena, ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Parses bytes already in memory; {@code label} names them in errors. */
    public static SafetensorsFile parse(MemorySegment bytes, Path label) {
        return new SafetensorsFile(label, null, bytes);
    }

    private void readMetadata(JsonNode node, Map<String, String> into) {
        if (!node.isObject()) {
            throw new ModelFormatException(path, 8, "__metadata__ must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(path, 8, "__metadata__ value of '" + e.getKey() + "' is not a string");
            }
            into.put(e.getKey(), e.getValue().asText());
        }
    }

    private SafetensorsTensor readTensor(String name, JsonNode node, MemorySegment data) {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) {
            throw new ModelFormatException(path, 8, where + " is not a JSON object");
        }
        String dtypeName = node.path("dtype").asText(null);
        SafetensorsDType dtype = SafetensorsDType.byName(dtypeName == null ? "" : dtypeName).orElseThrow(() ->
                new ModelFormatException(path, 8, where + " has unknown dtype " + node.get("dtype")));
        JsonNode shapeNode = node.path("shape");
        if (!shapeNode.isArray()) {
            throw new ModelFormatException(path, 8, where + " has no shape array");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw new ModelFormatException(path, 8, where + " dimension " + i + " is not a non-negative integer: " + d);
            }
            shape[i] = d.asLong();
            if (shape[i] != 0 && elements > Long.MAX_VALUE / shape[i] / dtype.size()) {
                throw new ModelFormatException(path, 8, where + " is larger than 2^63 bytes");
            }
            elements *= shape[i];
        }
        JsonNode offsets = node.path("data_offsets");
        if (!offsets.isArray() || offsets.size() != 2 || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber()) {
            throw new ModelFormatException(path, 8, where + " needs data_offsets [begin, end]");
        }
        long begin = offsets.get(0).asLong();
        long end = offsets.get(1).asLong();
        if (begin < 0 || end < begin || end > data.byteSize()) {
            throw new ModelFormatException(path, 8, where + " data_offsets [" + begin + ", " + end
                    + "] lie outside the " + data.byteSize() + " data bytes");
        }
        if (end - begin != elements * dtype.size()) {
            throw new ModelFormatException(path, 8, where + " holds " + (end - begin) + " bytes but " + dtype
                    + " of shape " + java.util.Arrays.toString(shape) + " needs " + elements * dtype.size());
        }
        return new SafetensorsTensor(name, dtype, shape, data.asSlice(begin, end - begin));
    }

    private void checkNoOverlap(Iterable<SafetensorsTensor> all, MemorySegment data) {
        List<SafetensorsTensor> sorted = new ArrayList<>();
        all.forEach(sorted::add);
        long base = data.address();
        sorted.sort(Comparator.comparingLong(t -> t.data().address()));
        long previousEnd = 0;
        String previous = null;
        for (SafetensorsTensor t : sorted) {
            long begin = t.data().address() - base;
            if (begin < previousEnd) {
                throw new ModelFormatException(path, 8, "tensors '" + previous + "' and '" + t.name() + "' overlap");
            }
            previousEnd = begin + t.data().byteSize();
            previous = t.name();
        }
    }

    /** The file this was read from. */
    public Path path() {
        return path;
    }

    /** Every tensor, in header order. */
    public Map<String, SafetensorsTensor> tensors() {
        return tensors;
    }

    /** The tensor called {@code name}, if present. */
    public Optional<SafetensorsTensor> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Unmaps the file; tensor slices must not be touched afterwards. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }
}
