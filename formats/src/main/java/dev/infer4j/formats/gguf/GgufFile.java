package dev.infer4j.formats.gguf;

import dev.infer4j.formats.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GGUF file (version 2 or 3), mapped read-only with FFM.
 *
 * <p>Metadata and the tensor table are parsed eagerly; tensor data is never copied: {@link #tensorData} returns
 * a slice of the one mapping, so a multi-gigabyte model costs page cache, not heap. Files over 2 GiB work.
 * The mapping lives until {@link #close()}; slices must not be used after that.
 *
 * <p>Every defect of the file (bad magic, GGUF v1, truncation, impossible counts, unknown types, tensors that
 * run past the end or overlap the header) is reported as a {@link ModelFormatException} with its byte offset.
 */
public final class GgufFile implements AutoCloseable {
    /** "GGUF" read as a little-endian uint32. */
    public static final int MAGIC = 0x46554747;
    /** Alignment of tensor data when {@code general.alignment} is absent. */
    public static final int DEFAULT_ALIGNMENT = 32;
    /** ggml's limit on tensor rank. */
    public static final int MAX_DIMS = 4;
    private static final int MAX_ARRAY_NESTING = 16;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment mapping) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        GgufCursor in = new GgufCursor(mapping, path);
        int magic = in.u32("magic");
        if (magic != MAGIC) {
            throw in.errorAt(0, String.format("not a GGUF file: magic is 0x%08x, expected 0x%08x (\"GGUF\")", magic, MAGIC));
        }
        version = in.u32("version");
        if (version == 1) {
            throw in.errorAt(4, "GGUF version 1 is not supported (it predates August 2023); "
                    + "convert the model again with a current llama.cpp to get GGUF v3");
        }
        if (version != 2 && version != 3) {
            String hint = Integer.reverseBytes(version) >= 1 && Integer.reverseBytes(version) <= 3
                    ? " (this looks like a big-endian GGUF, which is not supported)" : "";
            throw in.errorAt(4, "unsupported GGUF version " + Integer.toUnsignedString(version) + ", expected 2 or 3" + hint);
        }
        long tensorCount = in.count("tensor count", 24);
        long kvCount = in.count("metadata count", 13);

        Map<String, GgufValue> kv = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            long at = in.position();
            String key = in.string("metadata key");
            int typeId = in.u32("metadata value type of " + key);
            GgufValue value = readValue(in, typeId, key, 0);
            if (kv.putIfAbsent(key, value) != null) {
                throw in.errorAt(at, "duplicate metadata key '" + key + "'");
            }
        }
        metadata = Collections.unmodifiableMap(kv);
        alignment = readAlignment(in);

        Map<String, GgufTensorInfo> infos = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = readTensorInfo(in);
            if (infos.putIfAbsent(info.name(), info) != null) {
                throw in.error("duplicate tensor name '" + info.name() + "'");
            }
        }
        tensors = Collections.unmodifiableMap(infos);
        long headerEnd = in.position();
        dataOffset = alignUp(headerEnd, alignment);
        long dataBytes = mapping.byteSize() - dataOffset;
        for (GgufTensorInfo t : tensors.values()) {
            long end = t.offset() + t.byteSize();
            if (t.byteSize() > 0 && (dataBytes < 0 || end > dataBytes)) {
                throw new ModelFormatException(path, dataOffset + t.offset(), "tensor '" + t.name() + "' (" + t.type()
                        + ", " + t.byteSize() + " bytes at data offset " + t.offset() + ") runs past the end of the file ("
                        + Math.max(dataBytes, 0) + " data bytes)");
            }
        }
    }

    /**
     * Opens and maps a GGUF file.
     *
     * @throws IOException          if the file cannot be opened or mapped
     * @throws ModelFormatException if it is not a valid GGUF v2/v3 file
     */
    public static GgufFile open(Path path) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GgufFile(path, arena, mapping);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses GGUF bytes already in memory (tests, and files received over the network). The segment must stay
     * valid while the result is used; {@link #close()} does not free it.
     *
     * @param label a name for error messages, may be {@code null}
     */
    public static GgufFile parse(MemorySegment bytes, Path label) {
        return new GgufFile(label, null, bytes);
    }

    private static GgufValue readValue(GgufCursor in, int typeId, String key, int depth) {
        GgufValueType type = GgufValueType.byId(typeId);
        if (type == null) {
            throw in.errorAt(in.position() - 4, "unknown metadata value type " + Integer.toUnsignedString(typeId)
                    + " for key '" + key + "'");
        }
        return switch (type) {
            case UINT8 -> new GgufValue(type, null, (long) Byte.toUnsignedInt(in.u8(key)));
            case INT8 -> new GgufValue(type, null, (long) in.u8(key));
            case UINT16 -> new GgufValue(type, null, (long) Short.toUnsignedInt(in.u16(key)));
            case INT16 -> new GgufValue(type, null, (long) in.u16(key));
            case UINT32 -> new GgufValue(type, null, Integer.toUnsignedLong(in.u32(key)));
            case INT32 -> new GgufValue(type, null, (long) in.u32(key));
            case UINT64, INT64 -> new GgufValue(type, null, in.u64(key));
            case FLOAT32 -> new GgufValue(type, null, in.f32(key));
            case FLOAT64 -> new GgufValue(type, null, in.f64(key));
            case BOOL -> new GgufValue(type, null, readBool(in, key));
            case STRING -> new GgufValue(type, null, in.string(key));
            case ARRAY -> readArray(in, key, depth);
        };
    }

    private static boolean readBool(GgufCursor in, String key) {
        byte b = in.u8(key);
        if (b != 0 && b != 1) {
            throw in.errorAt(in.position() - 1, "bool value of '" + key + "' is " + b + ", expected 0 or 1");
        }
        return b == 1;
    }

    private static GgufValue readArray(GgufCursor in, String key, int depth) {
        if (depth >= MAX_ARRAY_NESTING) {
            throw in.error("arrays of '" + key + "' nest deeper than " + MAX_ARRAY_NESTING + " levels");
        }
        int elemId = in.u32("array element type of " + key);
        GgufValueType elem = GgufValueType.byId(elemId);
        if (elem == null) {
            throw in.errorAt(in.position() - 4, "unknown array element type " + Integer.toUnsignedString(elemId)
                    + " for key '" + key + "'");
        }
        long n = in.count("array length of " + key, elem.minEncodedSize());
        if (n > Integer.MAX_VALUE - 8) {
            throw in.error("array '" + key + "' has " + n + " elements, more than a Java array holds");
        }
        int count = (int) n;
        Object payload = switch (elem) {
            case UINT8, INT8 -> bulk(in, new byte[count], ValueLayout.JAVA_BYTE, count, key);
            case BOOL -> {
                byte[] a = new byte[count];
                for (int i = 0; i < count; i++) {
                    a[i] = (byte) (readBool(in, key) ? 1 : 0);
                }
                yield a;
            }
            case UINT16, INT16 -> bulk(in, new short[count], ValueLayout.JAVA_SHORT_UNALIGNED, count, key);
            case UINT32, INT32 -> bulk(in, new int[count], ValueLayout.JAVA_INT_UNALIGNED, count, key);
            case UINT64, INT64 -> bulk(in, new long[count], ValueLayout.JAVA_LONG_UNALIGNED, count, key);
            case FLOAT32 -> bulk(in, new float[count], ValueLayout.JAVA_FLOAT_UNALIGNED, count, key);
            case FLOAT64 -> bulk(in, new double[count], ValueLayout.JAVA_DOUBLE_UNALIGNED, count, key);
            case STRING -> {
                String[] a = new String[count];
                for (int i = 0; i < count; i++) {
                    a[i] = in.string(key + "[" + i + "]");
                }
                yield a;
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[count];
                for (int i = 0; i < count; i++) {
                    a[i] = readArray(in, key + "[" + i + "]", depth + 1);
                }
                yield a;
            }
        };
        return new GgufValue(GgufValueType.ARRAY, elem, payload);
    }

    private static <A> A bulk(GgufCursor in, A array, ValueLayout layout, int count, String key) {
        in.bulk(array, layout, count, "array " + key);
        return array;
    }

    private int readAlignment(GgufCursor in) {
        GgufValue a = metadata.get("general.alignment");
        if (a == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (a.type() != GgufValueType.UINT32) {
            throw in.error("general.alignment must be a UINT32, found " + a.type());
        }
        long v = a.asLong();
        if (v == 0 || (v & (v - 1)) != 0 || v > (1 << 30)) {
            throw in.error("general.alignment must be a power of two, found " + v);
        }
        return (int) v;
    }

    private GgufTensorInfo readTensorInfo(GgufCursor in) {
        long at = in.position();
        String name = in.string("tensor name");
        int rank = in.u32("rank of tensor " + name);
        if (rank < 1 || rank > MAX_DIMS) {
            throw in.errorAt(in.position() - 4, "tensor '" + name + "' has " + Integer.toUnsignedString(rank)
                    + " dimensions, expected 1 to " + MAX_DIMS);
        }
        long[] shape = new long[rank];
        long elements = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = in.u64("dimension " + d + " of tensor " + name);
            if (shape[d] < 0) {
                throw in.errorAt(in.position() - 8, "tensor '" + name + "' dimension " + d + " is negative");
            }
            if (shape[d] != 0 && elements > Long.MAX_VALUE / shape[d]) {
                throw in.errorAt(in.position() - 8, "tensor '" + name + "' has more elements than fit in 64 bits");
            }
            elements *= shape[d];
        }
        int typeId = in.u32("type of tensor " + name);
        GgmlType type = GgmlType.byId(typeId).orElseThrow(() -> in.errorAt(in.position() - 4,
                "tensor '" + name + "' has unknown ggml type id " + Integer.toUnsignedString(typeId)));
        if (shape[0] % type.blockSize() != 0) {
            throw in.errorAt(at, "tensor '" + name + "' has rows of " + shape[0] + " values, not a multiple of the "
                    + type + " block size " + type.blockSize());
        }
        if (elements / type.blockSize() > Long.MAX_VALUE / type.typeSize()) {
            throw in.errorAt(at, "tensor '" + name + "' is larger than 2^63 bytes");
        }
        long offset = in.u64("data offset of tensor " + name);
        if (offset < 0 || offset % alignment != 0) {
            throw in.errorAt(in.position() - 8, "tensor '" + name + "' data offset " + Long.toUnsignedString(offset)
                    + " is not a multiple of the alignment " + alignment);
        }
        return new GgufTensorInfo(name, shape, type, offset);
    }

    static long alignUp(long n, long alignment) {
        return (n + alignment - 1) / alignment * alignment;
    }

    /** The file this was read from, or the label given to {@link #parse}. */
    public Path path() {
        return path;
    }

    /** The GGUF version (2 or 3). */
    public int version() {
        return version;
    }

    /** Alignment of tensor data in bytes. */
    public int alignment() {
        return alignment;
    }

    /** Absolute byte offset of the tensor data section. */
    public long dataOffset() {
        return dataOffset;
    }

    /** Every metadata entry in file order (unmodifiable). */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** Every tensor in file order. */
    public List<GgufTensorInfo> tensors() {
        return List.copyOf(tensors.values());
    }

    /** The metadata value for {@code key}, if present. */
    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(metadata.get(key));
    }

    /** The metadata value for {@code key}, or a format error naming the missing key. */
    public GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw new ModelFormatException(path, -1, "missing metadata key '" + key + "'");
        }
        return v;
    }

    /** A string metadata value, or a format error if it is missing or not a string. */
    public String getString(String key) {
        return typed(key, require(key), GgufValue::asString);
    }

    /** A string metadata value, or {@code fallback} if absent. */
    public String getString(String key, String fallback) {
        GgufValue v = metadata.get(key);
        return v == null ? fallback : typed(key, v, GgufValue::asString);
    }

    /** An integer metadata value, or a format error if it is missing or not an integer. */
    public int getInt(String key) {
        return typed(key, require(key), GgufValue::asInt);
    }

    /** An integer metadata value, or {@code fallback} if absent. */
    public int getInt(String key, int fallback) {
        GgufValue v = metadata.get(key);
        return v == null ? fallback : typed(key, v, GgufValue::asInt);
    }

    /** A numeric metadata value as float, or {@code fallback} if absent. */
    public float getFloat(String key, float fallback) {
        GgufValue v = metadata.get(key);
        return v == null ? fallback : typed(key, v, GgufValue::asFloat);
    }

    /** A bool metadata value, or {@code fallback} if absent. */
    public boolean getBoolean(String key, boolean fallback) {
        GgufValue v = metadata.get(key);
        return v == null ? fallback : typed(key, v, GgufValue::asBoolean);
    }

    private <T> T typed(String key, GgufValue v, java.util.function.Function<GgufValue, T> read) {
        try {
            return read.apply(v);
        } catch (IllegalStateException e) {
            throw new ModelFormatException(path, -1, "metadata key '" + key + "': " + e.getMessage(), e);
        }
    }

    /** The tensor named {@code name}, if present. */
    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    /** The tensor named {@code name}, or a format error naming it. */
    public GgufTensorInfo requireTensor(String name) {
        GgufTensorInfo t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path, -1, "missing tensor '" + name + "'");
        }
        return t;
    }

    /** The tensor's bytes: a read-only slice of the mapping, valid until {@link #close()}. */
    public MemorySegment tensorData(GgufTensorInfo tensor) {
        return mapping.asSlice(dataOffset + tensor.offset(), tensor.byteSize());
    }

    /** The bytes of the tensor named {@code name}. */
    public MemorySegment tensorData(String name) {
        return tensorData(requireTensor(name));
    }

    /** Unmaps the file. Tensor slices must not be touched afterwards. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }
}
