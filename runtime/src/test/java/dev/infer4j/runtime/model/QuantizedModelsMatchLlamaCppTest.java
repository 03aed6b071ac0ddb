package dev.infer4j.runtime.model;

import dev.infer4j.kernels.KvType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

/**
 * Quantized synthetic models against llama.cpp's reference of the same file, with the README's tolerances for
 * an implementation that quantizes activations as ggml does: 3e-2 for dense models, 0.2 for MoE (a top-2 routing
 * flip can move one prompt by ~0.17); greedy compared while the margin exceeds twice the tolerance.
 */
class QuantizedModelsMatchLlamaCppTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"synth-llama-F16", "synth-llama-BF16", "synth-llama-Q8_0", "synth-llama-Q4_0",
            "synth-llama-Q4_1", "synth-llama-Q5_0", "synth-llama-Q5_1", "synth-llama-Q2_K", "synth-llama-Q3_K_M",
            "synth-llama-Q4_K_M", "synth-llama-Q5_K_M", "synth-llama-Q6_K", "synth-llama-IQ4_NL",
            "synth-llama3tied-Q8_0", "synth-qwen2-Q8_0", "synth-qwen3-Q8_0", "synth-gemma2-Q8_0",
            "synth-gemma3-Q8_0", "synth-phi3-Q8_0"})
    void denseQuantizedModelsMatchLlamaCpp(String name) throws IOException {
        SyntheticModelsMatchLlamaCppTest.openKernels();
        try {
            SyntheticModelsMatchLlamaCppTest.assertMatches(name, KvType.F16, true, 3e-2f);
        } finally {
            SyntheticModelsMatchLlamaCppTest.closeKernels();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"synth-mixtral-Q4_K_M", "synth-qwen2moe-Q4_K_M", "synth-qwen3moe-Q4_K_M"})
    void mixtureOfExpertsModelsMatchLlamaCpp(String name) throws IOException {
        SyntheticModelsMatchLlamaCppTest.openKernels();
        try {
            SyntheticModelsMatchLlamaCppTest.assertMatches(name, KvType.F16, true, 0.2f);
        } finally {
            SyntheticModelsMatchLlamaCppTest.closeKernels();
        }
    }
}
