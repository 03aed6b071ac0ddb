/**
 * The transformer model: {@link dev.infer4j.runtime.model.ModelConfig} read from GGUF metadata,
 * {@link dev.infer4j.runtime.model.ModelWeights} over the file's tensors in place, and
 * {@link dev.infer4j.runtime.model.Model#forward}, one pass over a {@link dev.infer4j.runtime.model.Batch} of
 * sequences.
 *
 * <p>Architectures are data: Llama, Qwen 2/3, Gemma 2/3, Phi-3 and their MoE variants differ only in switches of
 * {@link dev.infer4j.runtime.model.ModelConfig} and in which tensors exist. All arithmetic goes through
 * {@link dev.infer4j.kernels.Kernels}; this package holds no SIMD code. May depend on {@code dev.infer4j.kernels},
 * {@code dev.infer4j.runtime.kv} and {@code dev.infer4j.formats}; not on the scheduler, sampler or server.
 */
package dev.infer4j.runtime.model;
