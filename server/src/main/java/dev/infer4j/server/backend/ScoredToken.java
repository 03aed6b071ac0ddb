package dev.infer4j.server.backend;

import java.util.Objects;

/**
 * A token with its log-probability.
 *
 * @param id      token id
 * @param text    the token's text (its bytes decoded as UTF-8, U+FFFD where they are not a whole character)
 * @param bytes   the token's raw bytes; the caller must not modify them
 * @param logprob natural-log probability, or NaN where none was computed
 */
public record ScoredToken(int id, String text, byte[] bytes, double logprob) {
    public ScoredToken {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(bytes, "bytes");
    }
}
