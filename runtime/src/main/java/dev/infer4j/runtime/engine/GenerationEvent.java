package dev.infer4j.runtime.engine;

import dev.infer4j.runtime.sampling.TokenLogprob;

import java.util.List;

/**
 * What a running generation reports, in order: a {@link PromptLogprobs} if the request asked for one, any number
 * of {@link Token}s, then exactly one {@link Finished} or {@link Failed}. Events are immutable and may be handed to other threads.
 */
public sealed interface GenerationEvent {

    /**
     * The prompt scored by the model, sent once before any {@link Token} when the request asked for it.
     *
     * @param tokens each prompt token with its log-probability given the tokens before it; the first has none
     *               ({@code NaN}), having nothing before it
     * @param top    for each prompt position, the most likely alternatives (empty for the first)
     */
    record PromptLogprobs(List<TokenLogprob> tokens, List<List<TokenLogprob>> top) implements GenerationEvent {
        /** Copies the lists. */
        public PromptLogprobs {
            tokens = List.copyOf(tokens);
            top = List.copyOf(top);
        }
    }

    /**
     * A generated token.
     *
     * @param token   its id
     * @param text    text that can be shown now: whole UTF-8 characters only, never a prefix of a stop string
     *                that might still complete (so it may be empty, and later events release held text)
     * @param logprob the token's log-probability, when requested, else null
     * @param top     the most likely alternatives, when requested, else an empty list
     */
    record Token(int token, String text, TokenLogprob logprob, List<TokenLogprob> top) implements GenerationEvent {
    }

    /**
     * The generation ended normally.
     *
     * @param reason    why
     * @param text      any text released at the end (held-back bytes or a stop-string candidate that did not
     *                  complete); usually empty
     * @param stop      the stop string that matched, or null
     * @param usage     token counts
     */
    record Finished(FinishReason reason, String text, String stop, Usage usage) implements GenerationEvent {
    }

    /**
     * The generation failed after it was accepted (an internal error); its resources were released.
     *
     * @param message what went wrong
     * @param usage   token counts up to the failure
     */
    record Failed(String message, Usage usage) implements GenerationEvent {
    }
}
