package dev.infer4j.server.openai;

import dev.infer4j.server.backend.GenerationSpec;

/**
 * One choice of a response, ready to submit.
 *
 * @param index        the choice's {@code index}: prompt number times {@code n} plus its number within the prompt
 * @param spec         what to generate
 * @param echoText     text to put before the completion ({@code echo}), or empty
 * @param countsPrompt whether this choice's prompt tokens count in {@code usage}: only the first choice of each
 *                     prompt does, because {@code n} samples of one prompt read it once
 */
public record PlannedChoice(int index, GenerationSpec spec, String echoText, boolean countsPrompt) {
}
