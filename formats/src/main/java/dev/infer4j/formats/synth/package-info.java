/**
 * Synthetic models: llama-architecture models of a real model's shape and vocabulary with reproducible random
 * weights, for benchmarks and tests that need a realistic size but no downloaded weights. The same random model
 * is written as a GGUF file ({@link dev.infer4j.formats.synth.SyntheticModel}) or as a Hugging Face directory
 * with a 4-bit GPTQ or AWQ checkpoint ({@link dev.infer4j.formats.synth.SyntheticHfModel}).
 *
 * <p>Depends on {@link dev.infer4j.formats.gguf}, {@link dev.infer4j.formats.quant},
 * {@link dev.infer4j.formats.int4}, {@link dev.infer4j.formats.safetensors} and Jackson only; knows nothing of
 * running models.
 */
package dev.infer4j.formats.synth;
