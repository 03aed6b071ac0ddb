package dev.infer4j.formats.safetensors;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * One tensor of a safetensors file, its bytes left in the mapping.
 *
 * @param name  the tensor name
 * @param dtype the element type
 * @param shape the dimensions, outermost first (row-major, as PyTorch; the reverse of GGUF's order)
 * @param data  the bytes, a read-only slice of the file's mapping
 */
public record SafetensorsTensor(String name, SafetensorsDType dtype, long[] shape, MemorySegment data) {

    /** Copies the shape. */
    public SafetensorsTensor {
        shape = shape.clone();
    }

    /** The dimensions, outermost first (a copy). */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Size of dimension {@code i}. */
    public long dim(int i) {
        return shape[i];
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }
}
