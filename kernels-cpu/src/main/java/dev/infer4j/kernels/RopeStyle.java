package dev.infer4j.kernels;

/** Which pairs of values of a head RoPE rotates together. */
public enum RopeStyle {
    /** Adjacent pairs {@code (2i, 2i+1)}: llama's layout ({@code LLAMA_ROPE_TYPE_NORM}). */
    NORMAL,
    /** Split halves {@code (i, i + dims/2)}: GPT-NeoX's layout, used by Qwen, Gemma and Phi-3. */
    NEOX
}
