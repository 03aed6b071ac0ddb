/**
 * The CPU backend of the compute SPI: activations in heap {@code float[]}s, weights read in place from the mapped
 * model file, K/V in heap arrays, loops written with the Vector API.
 *
 * <p>Numerics copy ggml's CPU backend where it matters for matching llama.cpp (double accumulation in norms and
 * softmax, half rounding of Q and probabilities over a half cache, the half-precision GELU table, ggml's RoPE
 * angle recurrence). May depend on {@code dev.infer4j.kernels} and {@code dev.infer4j.formats}; knows nothing of
 * models or the runtime.
 */
package dev.infer4j.kernels.cpu;
