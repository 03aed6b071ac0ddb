package dev.infer4j.formats.gguf;

import java.util.Arrays;

/**
 * A tensor's entry in the GGUF tensor table.
 *
 * @param name   the tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param shape  the dimensions, innermost (contiguous, ggml's {@code ne[0]}) first
 * @param type   the element type
 * @param offset byte offset of the data relative to the start of the tensor data section
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset) {

    /** Copies the shape so the record stays immutable. */
    public GgufTensorInfo {
        shape = shape.clone();
    }

    /** The dimensions, innermost first (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i}, or 1 beyond the rank (as ggml treats missing dimensions). */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    /** Total number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of data this tensor takes. */
    public long byteSize() {
        return type.bytesFor(elementCount());
    }

    /** Bytes of one row (the innermost dimension). */
    public long rowBytes() {
        return type.bytesFor(dim(0));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && Arrays.equals(shape, t.shape)
                && type == t.type && offset == t.offset;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + type.hashCode() + Long.hashCode(offset);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + " @" + offset;
    }
}
