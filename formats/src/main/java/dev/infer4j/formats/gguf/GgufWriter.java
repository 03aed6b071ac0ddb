package dev.infer4j.formats.gguf;

import dev.infer4j.formats.SegmentChannels;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes a GGUF v3 file: metadata in insertion order, then the tensor table, then each tensor's data padded to
 * the alignment ({@code general.alignment}, default 32).
 *
 * <p>Tensor data is supplied lazily and written one tensor at a time, so a tool can produce a multi-gigabyte
 * model (quantizing or generating each tensor as it goes) without holding it in memory.
 */
public final class GgufWriter {
    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    private record PendingTensor(String name, GgmlType type, long[] shape, Supplier<MemorySegment> data) {
        long byteSize() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return type.bytesFor(n);
        }
    }

    /** Adds (or replaces) a metadata entry. */
    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    /** Copies every metadata entry of another file, in its order. */
    public GgufWriter putAll(Map<String, GgufValue> entries) {
        metadata.putAll(entries);
        return this;
    }

    /**
     * Adds a tensor whose bytes are produced when the file is written.
     *
     * @param shape dimensions, innermost first
     * @param data  called once during {@link #write}; must return exactly the tensor's byte size
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, Supplier<MemorySegment> data) {
        if (shape.length < 1 || shape.length > GgufFile.MAX_DIMS) {
            throw new IllegalArgumentException("tensor " + name + " must have 1 to 4 dimensions");
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor " + name + ": row of " + shape[0] + " is not a multiple of "
                    + type + " block size " + type.blockSize());
        }
        for (PendingTensor t : tensors) {
            if (t.name.equals(name)) {
                throw new IllegalArgumentException("duplicate tensor " + name);
            }
        }
        tensors.add(new PendingTensor(name, type, shape.clone(), data));
        return this;
    }

    /** Adds a tensor whose bytes are already at hand. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        return addTensor(name, type, shape, () -> data);
    }

    /** Writes the file, replacing any existing one. */
    public void write(Path path) throws IOException {
        int alignment = metadata.containsKey("general.alignment")
                ? metadata.get("general.alignment").asInt() : GgufFile.DEFAULT_ALIGNMENT;
        ByteBuffer header = encodeHeader(alignment);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            SegmentChannels.writeFully(ch, header);
            long position = header.limit();
            for (PendingTensor t : tensors) {
                MemorySegment bytes = t.data.get();
                if (bytes.byteSize() != t.byteSize()) {
                    throw new IllegalStateException("tensor " + t.name + " supplied " + bytes.byteSize()
                            + " bytes, expected " + t.byteSize());
                }
                SegmentChannels.writeFully(ch, bytes);
                position += bytes.byteSize();
                long padded = GgufFile.alignUp(position, alignment);
                SegmentChannels.writeFully(ch, ByteBuffer.allocate((int) (padded - position)));
                position = padded;
            }
        }
    }

    private ByteBuffer encodeHeader(int alignment) {
        Encoder out = new Encoder();
        out.u32(GgufFile.MAGIC);
        out.u32(3);
        out.u64(tensors.size());
        out.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.u32(e.getValue().type().id());
            out.value(e.getValue());
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            out.string(t.name);
            out.u32(t.shape.length);
            for (long d : t.shape) {
                out.u64(d);
            }
            out.u32(t.type.id());
            out.u64(offset);
            offset = GgufFile.alignUp(offset + t.byteSize(), alignment);
        }
        out.pad(alignment);
        return out.finish();
    }

    /** A growable little-endian byte buffer for the header. */
    private static final class Encoder {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(long n) {
            if (buf.remaining() < n) {
                long want = Math.max((long) buf.capacity() * 2, buf.position() + n);
                ByteBuffer bigger = ByteBuffer.allocate(Math.toIntExact(want)).order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        void u8(int v) {
            ensure(1);
            buf.put((byte) v);
        }

        void u16(int v) {
            ensure(2);
            buf.putShort((short) v);
        }

        void u32(int v) {
            ensure(4);
            buf.putInt(v);
        }

        void u64(long v) {
            ensure(8);
            buf.putLong(v);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            ensure(b.length);
            buf.put(b);
        }

        void value(GgufValue v) {
            switch (v.type()) {
                case UINT8, INT8 -> u8((int) v.asLong());
                case UINT16, INT16 -> u16((int) v.asLong());
                case UINT32, INT32 -> u32((int) v.asLong());
                case UINT64, INT64 -> u64(v.asLong());
                case FLOAT32 -> u32(Float.floatToRawIntBits(v.asFloat()));
                case FLOAT64 -> u64(Double.doubleToRawLongBits(v.asDouble()));
                case BOOL -> u8(v.asBoolean() ? 1 : 0);
                case STRING -> string(v.asString());
                case ARRAY -> array(v);
            }
        }

        void array(GgufValue v) {
            u32(v.elementType().id());
            u64(v.arrayLength());
            switch (v.value()) {
                case byte[] a -> {
                    ensure(a.length);
                    buf.put(a);
                }
                case short[] a -> {
                    for (short x : a) {
                        u16(x);
                    }
                }
                case int[] a -> {
                    for (int x : a) {
                        u32(x);
                    }
                }
                case long[] a -> {
                    for (long x : a) {
                        u64(x);
                    }
                }
                case float[] a -> {
                    for (float x : a) {
                        u32(Float.floatToRawIntBits(x));
                    }
                }
                case double[] a -> {
                    for (double x : a) {
                        u64(Double.doubleToRawLongBits(x));
                    }
                }
                case String[] a -> {
                    for (String x : a) {
                        string(x);
                    }
                }
                case GgufValue[] a -> {
                    for (GgufValue x : a) {
                        array(x);
                    }
                }
                default -> throw new IllegalStateException("unexpected array payload " + v.value().getClass());
            }
        }

        void pad(int alignment) {
            int padded = (int) GgufFile.alignUp(buf.position(), alignment);
            ensure(padded - buf.position());
            buf.position(padded);
        }

        ByteBuffer finish() {
            buf.flip();
            return buf;
        }
    }
}
