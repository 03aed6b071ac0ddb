package dev.infer4j.server.backend;

/**
 * Token counts of one generation.
 *
 * @param promptTokens       tokens in the prompt
 * @param completionTokens   tokens generated
 * @param cachedPromptTokens prompt tokens whose KV entries were reused from the prefix cache
 * @param speculation        speculative decoding counts, or null when the generation was decoded without
 *                           speculation (so responses then carry no speculation fields at all)
 */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens, SpeculationUsage speculation) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedPromptTokens < 0 || cachedPromptTokens > promptTokens) {
            throw new IllegalArgumentException("inconsistent usage: prompt " + promptTokens + ", completion "
                    + completionTokens + ", cached " + cachedPromptTokens);
        }
    }

    /** Counts of a generation decoded without speculation. */
    public Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
        this(promptTokens, completionTokens, cachedPromptTokens, null);
    }
}
