/**
 * Synthetic models: llama-architecture GGUF files of a real model's shape and vocabulary with reproducible
 * random weights, for benchmarks and tests that need a realistic size but no downloaded weights.
 *
 * <p>Depends on {@link dev.infer4j.formats.gguf} and {@link dev.infer4j.formats.quant} only; knows nothing of
 * running models.
 */
package dev.infer4j.formats.synth;
