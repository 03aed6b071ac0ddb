/**
 * Turning a stream of token ids into the text a client sees: UTF-8-safe incremental detokenization (no
 * character is ever split between two deltas) and stop strings that are never half-emitted.
 *
 * <p>Depends on the {@code formats} tokenizer contract ({@link dev.infer4j.formats.tokenizer.Tokenizer}) and
 * the JDK only; knows nothing of models, sampling, threads or HTTP.
 */
package dev.infer4j.runtime.text;
