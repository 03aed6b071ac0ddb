package dev.infer4j.server.backend;

import java.util.List;

/**
 * The prompt's tokens, sent once before any generated token when {@link GenerationSpec#echo()} is set (for
 * completions with {@code echo} and {@code logprobs}). Each entry's {@link TokenDelta#text()} is the token's own
 * text; its logprob is the model's log-probability of that prompt token given the ones before it (NaN for the first
 * position), with {@link GenerationSpec#logprobs()} alternatives when that is positive.
 */
public record PromptTokens(List<TokenDelta> tokens) implements GenerationEvent {
    public PromptTokens {
        tokens = List.copyOf(tokens);
    }
}
