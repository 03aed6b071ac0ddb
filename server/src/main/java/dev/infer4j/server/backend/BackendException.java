package dev.infer4j.server.backend;

import java.util.Objects;

/** A failure inside the backend, typed so that the server can choose the HTTP status. */
public final class BackendException extends RuntimeException {

    /** The family of failure. */
    public enum Kind {
        /** The request cannot be served as given (bad token id, template error): HTTP 400. */
        INVALID_REQUEST,
        /**
         * The prompt plus the tokens to generate do not fit the context or the KV cache: HTTP 400 with code
         * {@code context_length_exceeded}.
         */
        CONTEXT_LENGTH_EXCEEDED,
        /** The engine cannot take more work now: HTTP 503 with {@code Retry-After}. */
        OVERLOADED,
        /** A fault in the engine: HTTP 500. */
        INTERNAL
    }

    private final Kind kind;
    private final String param;

    /** A failure of the given kind. */
    public BackendException(Kind kind, String message) {
        this(kind, null, message, null);
    }

    /** A failure of the given kind, with its cause. */
    public BackendException(Kind kind, String message, Throwable cause) {
        this(kind, null, message, cause);
    }

    /**
     * A failure of the given kind that names the request field at fault.
     *
     * @param param the OpenAI request field at fault (e.g. {@code max_tokens}), or null
     */
    public BackendException(Kind kind, String param, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.param = param;
    }

    /** The failure family. */
    public Kind kind() {
        return kind;
    }

    /** The OpenAI request field at fault, or null. */
    public String param() {
        return param;
    }
}
