package dev.infer4j.runtime.chat;

/**
 * A chat template could not be compiled or refused to render a conversation.
 *
 * <p>{@link Kind#RAISED} carries the template's own message from {@code raise_exception(...)} (for example
 * "Conversation roles must alternate user/assistant/user/assistant/..."), which is meant for the API client.
 */
public final class ChatTemplateException extends RuntimeException {
    /** Why the template failed. */
    public enum Kind {
        /** The template source is not valid Jinja. */
        SYNTAX,
        /** The template called {@code raise_exception}: the conversation does not suit this model. */
        RAISED,
        /** A runtime error inside the template (undefined value, type error, refused unsafe access). */
        RUNTIME,
        /** The render passed a sandbox limit (work, output size, nesting). */
        LIMIT
    }

    private final Kind kind;
    private final String pythonType;

    public ChatTemplateException(Kind kind, String pythonType, String message) {
        super(message);
        this.kind = kind;
        this.pythonType = pythonType;
    }

    public Kind kind() {
        return kind;
    }

    /** The exception class Python's jinja2 raises for the same failure, e.g. {@code TypeError}. */
    public String pythonType() {
        return pythonType;
    }
}
