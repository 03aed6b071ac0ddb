package dev.infer4j.runtime.engine;

import dev.infer4j.runtime.sampling.SamplingParams;

import java.util.Objects;

/**
 * One generation to run.
 *
 * @param prompt        what to continue
 * @param sampling      how to choose tokens and when to stop ({@link SamplingParams#maxTokens()} -1 means up to
 *                      the context length)
 * @param renderSpecial whether control tokens the model generates appear in the text
 * @param promptLogprobs -1 for none; otherwise report the log-probability of every prompt token after the first
 *                      (given the ones before it) with this many top alternatives, 0 to
 *                      {@value SamplingParams#MAX_LOGPROBS}, in a {@link GenerationEvent.PromptLogprobs} event
 *                      before any generated token (OpenAI's {@code echo} with {@code logprobs}). Such a request
 *                      computes its whole prompt: the prefix cache would skip the positions it must score.
 */
public record GenerationRequest(Prompt prompt, SamplingParams sampling, boolean renderSpecial, int promptLogprobs) {

    /** Checks the parts are present and the alternatives count in range. */
    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        if (promptLogprobs < -1 || promptLogprobs > SamplingParams.MAX_LOGPROBS) {
            throw new IllegalArgumentException("promptLogprobs must be -1 or 0.." + SamplingParams.MAX_LOGPROBS
                    + ", got " + promptLogprobs);
        }
    }

    /** A request without prompt log-probabilities. */
    public GenerationRequest(Prompt prompt, SamplingParams sampling, boolean renderSpecial) {
        this(prompt, sampling, renderSpecial, -1);
    }

    /** A request with control tokens hidden from the text. */
    public static GenerationRequest of(Prompt prompt, SamplingParams sampling) {
        return new GenerationRequest(prompt, sampling, false);
    }
}
