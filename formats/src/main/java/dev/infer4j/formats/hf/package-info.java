/**
 * A Hugging Face model directory: {@code config.json} (architecture, dimensions, RoPE settings, tied embeddings,
 * {@code quantization_config}), {@code generation_config.json}, and where the tokenizer and weights lie. Only
 * reading and validating; building a runnable model is the runtime's job. Depends only on the JDK, Jackson and
 * the other {@code formats} packages.
 */
package dev.infer4j.formats.hf;
