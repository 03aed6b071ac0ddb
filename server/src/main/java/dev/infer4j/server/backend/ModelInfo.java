package dev.infer4j.server.backend;

import java.util.Objects;

/**
 * Metadata of the served model, as listed by {@code /v1/models}.
 *
 * @param id                  model id (the server may publish it under an alias)
 * @param contextLength       the most tokens a sequence may hold, prompt and completion together
 * @param vocabSize           number of token ids; valid ids are {@code 0 .. vocabSize - 1}
 * @param createdEpochSeconds creation time reported to clients (for example the model file's modification time)
 * @param ownedBy             the {@code owned_by} field
 */
public record ModelInfo(String id, int contextLength, int vocabSize, long createdEpochSeconds, String ownedBy) {
    public ModelInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(ownedBy, "ownedBy");
        if (contextLength <= 0) {
            throw new IllegalArgumentException("contextLength must be positive, was " + contextLength);
        }
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be positive, was " + vocabSize);
        }
    }
}
