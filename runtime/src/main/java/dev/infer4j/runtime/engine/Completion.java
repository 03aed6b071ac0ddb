package dev.infer4j.runtime.engine;

/**
 * A finished generation.
 *
 * @param text   the generated text (stop string excluded)
 * @param tokens the generated token ids (an end-of-generation token included)
 * @param reason why it ended, or null if it failed
 * @param stop   the stop string that matched, or null
 * @param usage  token counts
 * @param error  the failure message, or null
 */
public record Completion(String text, int[] tokens, FinishReason reason, String stop, Usage usage, String error) {

    /** Copies the tokens. */
    public Completion {
        tokens = tokens.clone();
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
