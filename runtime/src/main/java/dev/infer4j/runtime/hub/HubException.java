package dev.infer4j.runtime.hub;

/** A model could not be fetched: unknown repository, no matching file, HTTP failure, checksum mismatch. */
public final class HubException extends Exception {
    /** With a message saying what failed and, where it helps, what to do. */
    public HubException(String message) {
        super(message);
    }

    /** Keeping the cause. */
    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
