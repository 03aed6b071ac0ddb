package dev.infer4j.server.backend;

import java.util.Objects;

/** A generation ended normally. */
public record Finished(FinishReason reason, Usage usage) implements GenerationEvent {
    public Finished {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(usage, "usage");
    }
}
