package dev.infer4j.runtime.engine;

/** Why a generation ended. */
public enum FinishReason {
    /** An end-of-generation token, a stop token id or a stop string. */
    STOP,
    /** The token limit or the end of the context. */
    LENGTH,
    /** The caller cancelled it (e.g. the HTTP client hung up). */
    CANCELLED
}
