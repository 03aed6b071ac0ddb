package dev.infer4j.kernels;

/**
 * A compute backend, registered in {@code META-INF/services/dev.infer4j.kernels.KernelsProvider} and found by
 * {@link Kernels#load}.
 */
public interface KernelsProvider {
    /** A short name such as {@code "cpu"} or {@code "cuda"}. */
    String name();

    /** Higher wins when several backends are available (a GPU backend ranks above the CPU one). */
    int priority();

    /** Whether this backend can run here (a GPU backend checks for a driver and a device). */
    boolean isAvailable();

    /**
     * Opens the backend.
     *
     * @param threads worker threads for a CPU backend, or 0 for one per available core
     */
    Kernels open(int threads);
}
