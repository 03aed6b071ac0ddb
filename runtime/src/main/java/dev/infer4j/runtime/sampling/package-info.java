/**
 * Choosing the next token from a row of logits: logit bias, repetition / frequency / presence penalties,
 * top-k, typical-p, top-p, min-p and temperature in llama.cpp's order, a seeded draw that is reproducible
 * across runs and JVMs, and the log-probabilities OpenAI reports.
 *
 * <p>Everything here is plain arithmetic on {@code float[]} rows: it depends only on the JDK, knows nothing of
 * models, KV caches, tokenizers' internals, threads or HTTP. {@link dev.infer4j.runtime.sampling.SamplerChain}
 * allocates nothing per call once built.
 */
package dev.infer4j.runtime.sampling;
