package dev.infer4j.runtime.engine;

/**
 * Token counts of one generation.
 *
 * @param promptTokens     tokens of the prompt
 * @param completionTokens tokens generated (an end-of-generation token counts)
 * @param cachedTokens     prompt tokens whose K/V were reused instead of computed
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {
}
