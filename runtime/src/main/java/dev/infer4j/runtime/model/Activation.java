package dev.infer4j.runtime.model;

/** The gate activation of a gated feed-forward block. */
public enum Activation {
    /** SwiGLU: {@code silu(gate) · up} (Llama, Qwen, Phi-3, experts). */
    SILU,
    /** GeGLU with the tanh approximation: {@code gelu(gate) · up} (Gemma). */
    GELU
}
