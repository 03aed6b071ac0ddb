package dev.infer4j.server.openai;

/** The two generation endpoints, which differ in request and response shape. */
public enum Endpoint {
    /** {@code POST /v1/chat/completions}. */
    CHAT("chatcmpl-", "chat.completion", "chat.completion.chunk", "messages"),
    /** {@code POST /v1/completions}. */
    COMPLETION("cmpl-", "text_completion", "text_completion", "prompt");

    private final String idPrefix;
    private final String objectName;
    private final String chunkObjectName;
    private final String promptField;

    Endpoint(String idPrefix, String objectName, String chunkObjectName, String promptField) {
        this.idPrefix = idPrefix;
        this.objectName = objectName;
        this.chunkObjectName = chunkObjectName;
        this.promptField = promptField;
    }

    /** Prefix of response ids. */
    public String idPrefix() {
        return idPrefix;
    }

    /** {@code object} of a whole response. */
    public String objectName() {
        return objectName;
    }

    /** {@code object} of a stream chunk. */
    public String chunkObjectName() {
        return chunkObjectName;
    }

    /** The request field that holds the prompt, named in context-length errors. */
    public String promptField() {
        return promptField;
    }
}
