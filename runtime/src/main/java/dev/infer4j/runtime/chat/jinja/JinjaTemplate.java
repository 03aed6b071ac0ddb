package dev.infer4j.runtime.chat.jinja;

import java.util.List;
import java.util.Map;

/**
 * A compiled Jinja template, immutable and safe to render from several threads at once.
 *
 * <p>The environment is the one Hugging Face builds for chat templates: jinja2's
 * {@code ImmutableSandboxedEnvironment} with {@code trim_blocks}, {@code lstrip_blocks}, the loop controls
 * ({@code break}/{@code continue}) and the {@code {% generation %}} tag, which renders its body.
 */
public final class JinjaTemplate {
    private static final int MAX_SOURCE_CHARS = 1 << 20;

    private final List<Node> body;

    private JinjaTemplate(List<Node> body) {
        this.body = body;
    }

    /**
     * Parses a template.
     *
     * @throws JinjaException with type {@code TemplateSyntaxError} when the source is not valid Jinja
     */
    public static JinjaTemplate parse(String source) {
        if (source.length() > MAX_SOURCE_CHARS) {
            throw new JinjaException("LimitExceeded", "template source is " + source.length()
                + " characters, over the limit of " + MAX_SOURCE_CHARS);
        }
        return new JinjaTemplate(Parser.parse(source));
    }

    /**
     * Renders the template.
     *
     * @param globals   functions and values visible everywhere (e.g. {@code raise_exception}); may hold
     *                  {@link PyCallable}s
     * @param variables the render's variables, as Python values: String, Long, Double, Boolean, null, List,
     *                  insertion-ordered Map, {@link Tuple}
     * @throws JinjaException on any template error, with the Python exception type jinja2 would raise
     */
    public String render(Map<String, Object> globals, Map<String, Object> variables, SandboxLimits limits) {
        Interpreter interpreter = new Interpreter(new Budget(limits));
        try {
            return interpreter.render(body, globals, variables);
        } catch (ArithmeticException e) {
            throw new JinjaException("OverflowError", "integer result out of range: " + e.getMessage());
        } catch (StackOverflowError e) {
            throw new JinjaException("LimitExceeded", "template recursion too deep");
        }
    }
}
