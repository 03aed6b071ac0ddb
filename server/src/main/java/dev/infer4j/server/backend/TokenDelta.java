package dev.infer4j.server.backend;

import java.util.List;
import java.util.Objects;

/**
 * One generated token.
 *
 * @param text        the text this token releases to the client. The engine guarantees it never ends inside a UTF-8
 *                    character and never contains any part of a stop string: text held back for those reasons is
 *                    released by a later delta, or dropped if a stop string completes. So it may be empty, or longer
 *                    than the token's own text.
 * @param token       the sampled token: id, its own text and bytes, and its log-probability (NaN when
 *                    {@link GenerationSpec#logprobs()} is negative)
 * @param topLogprobs the {@link GenerationSpec#logprobs()} most likely tokens at this position, most likely first;
 *                    empty when that is zero or negative
 */
public record TokenDelta(String text, ScoredToken token, List<ScoredToken> topLogprobs) implements GenerationEvent {
    public TokenDelta {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(token, "token");
        topLogprobs = List.copyOf(topLogprobs);
    }
}
