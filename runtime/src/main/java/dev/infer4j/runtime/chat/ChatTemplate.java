package dev.infer4j.runtime.chat;

import dev.infer4j.runtime.chat.jinja.JinjaException;
import dev.infer4j.runtime.chat.jinja.JinjaTemplate;
import dev.infer4j.runtime.chat.jinja.PyCallable;
import dev.infer4j.runtime.chat.jinja.SandboxLimits;

import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.Map;

/**
 * A model's chat template, compiled once and rendered per request, with Hugging Face
 * {@code apply_chat_template(..., tokenize=False)} semantics.
 *
 * <p>The render sees {@code messages}, {@code tools} (None when absent), {@code documents} (None unless given in
 * {@code extra}), {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}, the extra variables, and the
 * functions {@code raise_exception(message)} and {@code strftime_now(format)}. Templates are untrusted: rendering
 * runs in a sandbox bounded by {@link SandboxLimits}. Instances are immutable and thread-safe.
 */
public final class ChatTemplate {
    private final JinjaTemplate template;
    private final SandboxLimits limits;

    private ChatTemplate(JinjaTemplate template, SandboxLimits limits) {
        this.template = template;
        this.limits = limits;
    }

    /**
     * Compiles a template with the default sandbox limits.
     *
     * @throws ChatTemplateException of kind {@link ChatTemplateException.Kind#SYNTAX} for invalid Jinja
     */
    public static ChatTemplate compile(String source) {
        return compile(source, SandboxLimits.DEFAULT);
    }

    /** Compiles a template that renders under the given limits. */
    public static ChatTemplate compile(String source, SandboxLimits limits) {
        try {
            return new ChatTemplate(JinjaTemplate.parse(source), limits);
        } catch (JinjaException e) {
            throw translate(e);
        }
    }

    /** One of the standard formats, for a model that ships no template. */
    public static ChatTemplate builtin(BuiltinChatTemplate format) {
        return compile(format.source());
    }

    /**
     * Renders the prompt for a conversation.
     *
     * @throws ChatTemplateException when the template raises, fails at runtime or passes a sandbox limit
     */
    public String render(ChatRequestContext context) {
        Map<String, Object> globals = new HashMap<>();
        globals.put("raise_exception", (PyCallable) (args, kwargs) -> {
            throw new JinjaException("TemplateError", args.isEmpty() ? "" : String.valueOf(args.getFirst()));
        });
        LocalDateTime now = LocalDateTime.now(context.clock());
        globals.put("strftime_now", (PyCallable) (args, kwargs) -> {
            if (args.size() != 1 || !(args.getFirst() instanceof String format)) {
                throw new JinjaException("TypeError", "strftime_now() takes one format string");
            }
            return Strftime.format(format, now);
        });

        Map<String, Object> vars = new HashMap<>();
        vars.put("documents", null);
        context.extra().forEach((k, v) -> vars.put(k, PythonValues.of(v)));
        vars.put("messages", PythonValues.of(context.messages()));
        vars.put("tools", context.tools() == null ? null : PythonValues.of(context.tools()));
        vars.put("add_generation_prompt", context.addGenerationPrompt());
        vars.put("bos_token", context.bosToken());
        vars.put("eos_token", context.eosToken());
        try {
            return template.render(globals, vars, limits);
        } catch (JinjaException e) {
            throw translate(e);
        }
    }

    private static ChatTemplateException translate(JinjaException e) {
        ChatTemplateException.Kind kind = switch (e.pythonType()) {
            case "TemplateSyntaxError" -> ChatTemplateException.Kind.SYNTAX;
            case "TemplateError" -> ChatTemplateException.Kind.RAISED;
            case "LimitExceeded", "RecursionError" -> ChatTemplateException.Kind.LIMIT;
            default -> ChatTemplateException.Kind.RUNTIME;
        };
        ChatTemplateException out = new ChatTemplateException(kind, e.pythonType(), e.getMessage());
        out.initCause(e);
        return out;
    }
}
