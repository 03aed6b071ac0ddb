package dev.infer4j.server.openai;

import dev.infer4j.server.backend.BackendException;

import java.util.Objects;

/**
 * A request the server refuses, carrying everything of OpenAI's error body:
 * {@code {"error": {"message", "type", "param", "code"}}} and the HTTP status.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    /**
     * @param status  HTTP status
     * @param type    OpenAI error type, e.g. {@code invalid_request_error}
     * @param message what is wrong, for a human
     * @param param   the offending request field, or null
     * @param code    machine-readable code, or null
     */
    public ApiException(int status, String type, String message, String param, String code) {
        super(message);
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.param = param;
        this.code = code;
    }

    /** 400 {@code invalid_request_error} naming the field. */
    public static ApiException invalidField(String param, String message) {
        return new ApiException(400, "invalid_request_error", message, param, null);
    }

    /** The error a backend failure becomes: 400, 503 or 500 by its kind. */
    public static ApiException fromBackend(BackendException e) {
        return switch (e.kind()) {
            case INVALID_REQUEST -> new ApiException(400, "invalid_request_error", e.getMessage(), e.param(), null);
            case CONTEXT_LENGTH_EXCEEDED -> new ApiException(400, "invalid_request_error", e.getMessage(), e.param(),
                    "context_length_exceeded");
            case OVERLOADED -> new ApiException(503, "server_overloaded", e.getMessage(), null, "server_overloaded");
            case INTERNAL -> new ApiException(500, "server_error", e.getMessage(), null, null);
        };
    }

    /** HTTP status. */
    public int status() {
        return status;
    }

    /** OpenAI error type. */
    public String type() {
        return type;
    }

    /** The offending field, or null. */
    public String param() {
        return param;
    }

    /** The machine-readable code, or null. */
    public String code() {
        return code;
    }
}
