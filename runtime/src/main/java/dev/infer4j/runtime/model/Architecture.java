package dev.infer4j.runtime.model;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The model architectures this runtime runs, by their GGUF {@code general.architecture} name. */
public enum Architecture {
    /** Llama 1/2/3, Mistral, Mixtral (experts when {@code expert_count} is set), TinyStories. */
    LLAMA("llama"),
    /** Qwen 2 / 2.5: Q/K/V biases, NeoX RoPE. */
    QWEN2("qwen2"),
    /** Qwen 2 MoE: routed experts without renormalisation plus a sigmoid-gated shared expert. */
    QWEN2MOE("qwen2moe"),
    /** Qwen 3: per-head Q/K RMSNorm before RoPE. */
    QWEN3("qwen3"),
    /** Qwen 3 MoE: Qwen 3 attention with renormalised top-k experts. */
    QWEN3MOE("qwen3moe"),
    /** Gemma 2: scaled embeddings, post norms, soft-capping, sliding window on even layers, GELU. */
    GEMMA2("gemma2"),
    /** Gemma 3 (text): Gemma 2 without soft-capping, plus Q/K norms and local/global RoPE bases. */
    GEMMA3("gemma3"),
    /** Phi-3: fused QKV and gate/up projections. */
    PHI3("phi3");

    private final String ggufName;

    Architecture(String ggufName) {
        this.ggufName = ggufName;
    }

    /** The name GGUF uses, also the prefix of the architecture's metadata keys. */
    public String ggufName() {
        return ggufName;
    }

    /** The architecture GGUF calls {@code name}, if supported. */
    public static Optional<Architecture> byGgufName(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(name)).findFirst();
    }

    /** The supported names, for error messages. */
    public static String supportedNames() {
        return Arrays.stream(values()).map(Architecture::ggufName).collect(Collectors.joining(", "));
    }
}
