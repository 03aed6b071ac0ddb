package dev.infer4j.server.backend;

import java.util.Objects;

/**
 * A generation ended normally.
 *
 * @param reason why it ended
 * @param usage  token counts
 * @param text   text released at the end that no {@link TokenDelta} carried: bytes held back for an incomplete
 *               character, or the start of a stop string that never completed. Usually empty.
 */
public record Finished(FinishReason reason, Usage usage, String text) implements GenerationEvent {
    public Finished {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(usage, "usage");
        Objects.requireNonNull(text, "text");
    }

    /** An end that releases no further text. */
    public Finished(FinishReason reason, Usage usage) {
        this(reason, usage, "");
    }
}
