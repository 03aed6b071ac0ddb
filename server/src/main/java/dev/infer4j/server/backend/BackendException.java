package dev.infer4j.server.backend;

import java.util.Objects;

/** A failure inside the backend, typed so that the server can choose the HTTP status. */
public final class BackendException extends RuntimeException {

    /** The family of failure. */
    public enum Kind {
        /** The request cannot be served as given (bad token id, template error): HTTP 400. */
        INVALID_REQUEST,
        /** The engine cannot take more work now: HTTP 503 with {@code Retry-After}. */
        OVERLOADED,
        /** A fault in the engine: HTTP 500. */
        INTERNAL
    }

    private final Kind kind;

    /** A failure of the given kind. */
    public BackendException(Kind kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** A failure of the given kind, with its cause. */
    public BackendException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    /** The failure family. */
    public Kind kind() {
        return kind;
    }
}
