/**
 * The compute SPI: every numeric operation a model needs (matrix products over weights in place, norms, RoPE,
 * attention over a paged KV cache, activations, soft-capping, routing helpers), expressed over opaque handles
 * that a backend owns ({@link dev.infer4j.kernels.ActivationBuffer}, {@link dev.infer4j.kernels.Weight},
 * {@link dev.infer4j.kernels.KvStorage}).
 *
 * <p>Interfaces and records only: no arithmetic lives here. A backend (the Vector API one in
 * {@code dev.infer4j.kernels.cpu}, later a CUDA one) is found with {@link java.util.ServiceLoader} through
 * {@link dev.infer4j.kernels.KernelsProvider}. Depends on {@code dev.infer4j.formats.gguf} for
 * {@link dev.infer4j.formats.gguf.GgmlType} only; knows nothing of models, sequences or the engine.
 */
package dev.infer4j.kernels;
