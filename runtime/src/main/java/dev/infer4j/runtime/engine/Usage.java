package dev.infer4j.runtime.engine;

import java.util.Objects;

/**
 * Token counts of one generation.
 *
 * @param promptTokens     tokens of the prompt
 * @param completionTokens tokens generated (an end-of-generation token counts)
 * @param cachedTokens     prompt tokens whose K/V were reused instead of computed
 * @param speculation      proposals drafted and accepted for this generation ({@link SpeculationCounts#NONE}
 *                         without speculative decoding)
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens, SpeculationCounts speculation) {

    /** Checks the speculation counts are present. */
    public Usage {
        Objects.requireNonNull(speculation, "speculation");
    }

    /** Counts of a generation without speculative decoding. */
    public Usage(int promptTokens, int completionTokens, int cachedTokens) {
        this(promptTokens, completionTokens, cachedTokens, SpeculationCounts.NONE);
    }
}
