package dev.infer4j.runtime.engine;

/** A request the engine refused before accepting it; nothing of it runs and nothing needs releasing. */
public final class RequestRejectedException extends RuntimeException {

    /** Why a request was refused. */
    public enum Reason {
        /** The prompt (plus what must be generated) does not fit the context or the KV cache. */
        CONTEXT_LENGTH_EXCEEDED,
        /** A parameter is invalid (e.g. a token id outside the vocabulary). */
        INVALID_REQUEST,
        /** The waiting queue is full; try again later. */
        OVERLOADED,
        /** The engine is closed. */
        SHUT_DOWN
    }

    private final Reason reason;
    private final String param;

    /**
     * @param reason  the kind of refusal
     * @param param   the request field at fault, or null
     * @param message what is wrong and, where it helps, the limit
     */
    public RequestRejectedException(Reason reason, String param, String message) {
        super(message);
        this.reason = reason;
        this.param = param;
    }

    /** The kind of refusal. */
    public Reason reason() {
        return reason;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }
}
