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
 */
public record GenerationRequest(Prompt prompt, SamplingParams sampling, boolean renderSpecial) {

    /** Checks the parts are present. */
    public GenerationRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
    }

    /** A request with control tokens hidden from the text. */
    public static GenerationRequest of(Prompt prompt, SamplingParams sampling) {
        return new GenerationRequest(prompt, sampling, false);
    }
}
