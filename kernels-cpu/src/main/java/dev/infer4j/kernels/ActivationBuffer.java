package dev.infer4j.kernels;

/**
 * A run of float activations owned by a backend: heap memory for the CPU backend, device memory for a GPU one.
 *
 * <p>The model never reads or writes the contents directly; it moves data in and out with
 * {@link Kernels#upload} and {@link Kernels#download}. Buffers are sized once per batch shape and reused, so the
 * step loop allocates nothing. Matrices are stored row-major, one row per token.
 */
public interface ActivationBuffer {
    /** Number of floats this buffer holds. */
    int size();
}
