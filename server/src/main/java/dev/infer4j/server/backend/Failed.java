package dev.infer4j.server.backend;

import java.util.Objects;

/** A generation ended with an error; the engine has already released its resources. */
public record Failed(BackendException error) implements GenerationEvent {
    public Failed {
        Objects.requireNonNull(error, "error");
    }
}
