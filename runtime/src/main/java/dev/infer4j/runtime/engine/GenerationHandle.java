package dev.infer4j.runtime.engine;

/** A submitted generation. */
public interface GenerationHandle {
    /** The id the engine gave it (ids grow in arrival order). */
    long id();

    /** Tokens of the prompt after tokenization. */
    int promptTokens();

    /**
     * Asks the engine to stop this generation; it ends with {@link FinishReason#CANCELLED} at the next step and
     * its KV blocks return to the pool. Safe from any thread, idempotent.
     */
    void cancel();
}
