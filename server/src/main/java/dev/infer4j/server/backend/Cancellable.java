package dev.infer4j.server.backend;

/** Handle to a submitted generation. */
@FunctionalInterface
public interface Cancellable {
    /**
     * Asks the engine to stop the generation and free its resources at its next step. Idempotent, thread-safe,
     * non-blocking; calling it after the generation finished does nothing.
     */
    void cancel();
}
