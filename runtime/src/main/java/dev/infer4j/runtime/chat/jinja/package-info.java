/**
 * A sandboxed interpreter for the Jinja2 template language with Python value semantics, as used by Hugging Face
 * chat templates ({@code tokenizer.chat_template}).
 *
 * <p>The pipeline is {@link dev.infer4j.runtime.chat.jinja.Lexer} (source to tokens, applying Jinja's
 * whitespace control with {@code trim_blocks} and {@code lstrip_blocks}) → {@link dev.infer4j.runtime.chat.jinja.Parser}
 * (tokens to the {@link dev.infer4j.runtime.chat.jinja.Node}/{@link dev.infer4j.runtime.chat.jinja.Expr} tree) →
 * {@link dev.infer4j.runtime.chat.jinja.Interpreter} (tree to text). Values are plain Java objects standing for
 * Python ones: {@code String} (str), {@code Long} (int), {@code Double} (float), {@code Boolean}, {@code null}
 * (None), {@code List} (list), {@link dev.infer4j.runtime.chat.jinja.Tuple}, {@code LinkedHashMap} (dict, insertion
 * ordered) and a few template-only types.
 *
 * <p>Templates are untrusted input: the interpreter never uses reflection, never touches files, and every render
 * runs under a {@link dev.infer4j.runtime.chat.jinja.SandboxLimits} budget. This package depends on the JDK only.
 */
package dev.infer4j.runtime.chat.jinja;
