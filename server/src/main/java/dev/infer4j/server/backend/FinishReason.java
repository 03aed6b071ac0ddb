package dev.infer4j.server.backend;

/** Why a generation ended, as OpenAI's {@code finish_reason}. */
public enum FinishReason {
    /** End of sequence token, a stop string or a stop token id. */
    STOP("stop"),
    /** {@link GenerationSpec#maxTokens()} reached, or the context is full. */
    LENGTH("length");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    /** The value of OpenAI's {@code finish_reason}. */
    public String wireName() {
        return wireName;
    }
}
