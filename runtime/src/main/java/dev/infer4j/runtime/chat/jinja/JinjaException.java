package dev.infer4j.runtime.chat.jinja;

/**
 * A template failed to parse or to render.
 *
 * <p>{@code pythonType} names the exception Python's jinja2 would raise for the same failure
 * ({@code TemplateSyntaxError}, {@code TemplateError} for {@code raise_exception}, {@code UndefinedError},
 * {@code TypeError}, {@code SecurityError}, ...) or {@code LimitExceeded} when a sandbox limit stopped the render.
 */
public final class JinjaException extends RuntimeException {
    private final String pythonType;

    public JinjaException(String pythonType, String message) {
        super(message);
        this.pythonType = pythonType;
    }

    /** The Python exception class jinja2 would raise, e.g. {@code TypeError}. */
    public String pythonType() {
        return pythonType;
    }

    static JinjaException typeError(String message) {
        return new JinjaException("TypeError", message);
    }

    static JinjaException syntax(String message, int line) {
        return new JinjaException("TemplateSyntaxError", message + " (line " + line + ")");
    }
}
