package dev.infer4j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.cpu.CpuKernels;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.hf.HfModel;
import dev.infer4j.testdata.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A whole model gives the same logits, bit for bit, on the 256-bit kernels (AVX2) as on the 512-bit ones
 * (AVX-512): every weight type of the synthetic llama set, a mixture of experts, and GPTQ and AWQ checkpoints,
 * through a nine-token prefill and greedy decode. So a model answers the same whichever machine runs it. The
 * kernels are compared pairwise in {@code VectorWidthParityTest}; this proves nothing else in the forward pass
 * (prepared activations shared between matmuls, attention, norms) depends on the width.
 */
class VectorWidthModelParityTest {
    private static final int[] PROMPT = {1, 17, 45, 3, 99, 250, 8, 61, 12};
    private static final int STEPS = 6;

    @ParameterizedTest
    @ValueSource(strings = {"synth-llama-F32.gguf", "synth-llama-F16.gguf", "synth-llama-BF16.gguf",
            "synth-llama-Q8_0.gguf", "synth-llama-Q4_0.gguf", "synth-llama-Q4_1.gguf", "synth-llama-Q5_0.gguf",
            "synth-llama-Q5_1.gguf", "synth-llama-IQ4_NL.gguf", "synth-llama-Q2_K.gguf", "synth-llama-Q3_K_M.gguf",
            "synth-llama-Q4_K_M.gguf", "synth-llama-Q5_K_M.gguf", "synth-llama-Q6_K.gguf",
            "synth-qwen2moe-Q4_K_M.gguf"})
    void ggufModelsGiveTheSameLogitsOnBothWidths(String file) throws IOException {
        Path path = SharedData.file("models/synthetic/" + file);
        compare(file, kernels -> {
            try (GgufFile gguf = GgufFile.open(path)) {
                return Greedy.run(Model.load(gguf, kernels, KvCacheSpec.ofBlocks(8)), PROMPT, STEPS);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"TinyStories-656K-GPTQ-4bit-g128-sym-RTN", "TinyStories-656K-GPTQ-4bit-g128-asym-RTN",
            "TinyStories-656K-AWQ-4bit-g128-gemm-RTN"})
    void int4CheckpointsGiveTheSameLogitsOnBothWidths(String fixture) {
        Path dir = SharedData.file("models/safetensors/" + fixture);
        compare(fixture, kernels -> {
            try (HfModel hf = HfModel.load(dir, kernels, KvCacheSpec.ofBlocks(8))) {
                return Greedy.run(hf.model(), PROMPT, STEPS);
            }
        });
    }

    private static void compare(String name, Function<Kernels, Greedy.Run> run) {
        Greedy.Run wide;
        Greedy.Run narrow;
        try (Kernels kernels = new CpuKernels(2, VectorWidth.W512)) {
            wide = run.apply(kernels);
        }
        try (Kernels kernels = new CpuKernels(2, VectorWidth.W256)) {
            narrow = run.apply(kernels);
        }
        assertArrayEquals(wide.promptLogits(), narrow.promptLogits(), name + ": prompt logits differ between widths");
        for (int s = 0; s < STEPS; s++) {
            assertArrayEquals(wide.stepLogits()[s], narrow.stepLogits()[s],
                    name + ": logits of decode step " + s + " differ between widths");
        }
        assertArrayEquals(wide.tokens(), narrow.tokens(), name + ": greedy tokens differ between widths");
    }
}
