package dev.infer4j.server.backend;

/**
 * Token counts of one generation.
 *
 * @param promptTokens       tokens in the prompt
 * @param completionTokens   tokens generated
 * @param cachedPromptTokens prompt tokens whose KV entries were reused from the prefix cache
 */
public record Usage(int promptTokens, int completionTokens, int cachedPromptTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedPromptTokens < 0 || cachedPromptTokens > promptTokens) {
            throw new IllegalArgumentException("inconsistent usage: prompt " + promptTokens + ", completion "
                    + completionTokens + ", cached " + cachedPromptTokens);
        }
    }
}
