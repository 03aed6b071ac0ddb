package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole files from {@link ModelQuantizer} against the files {@code llama-quantize} wrote from the same input. */
class ModelQuantizerTest {
    @TempDir
    Path tmp;

    /** Same metadata, same tensors in the same order with the same types and bytes. */
    private static void assertSameModel(Path expectedPath, Path actualPath) throws IOException {
        try (GgufFile expected = GgufFile.open(expectedPath); GgufFile actual = GgufFile.open(actualPath)) {
            assertEquals(List.copyOf(expected.metadata().keySet()), List.copyOf(actual.metadata().keySet()),
                    "metadata keys and order");
            assertEquals(expected.metadata(), actual.metadata(), "metadata values");
            assertEquals(expected.tensors().stream().map(GgufTensorInfo::name).toList(),
                    actual.tensors().stream().map(GgufTensorInfo::name).toList(), "tensor order");
            List<String> differing = new ArrayList<>();
            for (GgufTensorInfo e : expected.tensors()) {
                GgufTensorInfo a = actual.requireTensor(e.name());
                if (e.type() != a.type()) {
                    differing.add(e.name() + " is " + a.type() + ", llama.cpp chose " + e.type());
                } else if (expected.tensorData(e).mismatch(actual.tensorData(a)) >= 0) {
                    differing.add(e.name() + " (" + e.type() + ") bytes differ");
                }
            }
            assertEquals(List.of(), differing, "tensors that differ from " + expectedPath.getFileName());
        }
    }

    @ParameterizedTest(name = "stories260K -> {0}")
    @CsvSource({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "F16", "BF16"})
    void stories260kMatchesLlamaQuantizeWithItsDefaultRules(String target) throws IOException {
        Path out = tmp.resolve("out.gguf");
        ModelQuantizer.quantize(SharedData.file("models/gguf/stories260K.gguf"), out, target);
        assertSameModel(SharedData.file("models/gguf/stories260K-" + target + ".gguf"), out);
    }

    @ParameterizedTest(name = "synth-llama --pure {0}")
    @CsvSource({"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "Q2_K", "Q3_K_M", "Q4_K_M",
            "Q5_K_M", "Q6_K"})
    void synthLlamaMatchesLlamaQuantizePure(String target) throws IOException {
        Path out = tmp.resolve("out.gguf");
        ModelQuantizer.quantize(SharedData.file("models/synthetic/synth-llama-F32.gguf"), out, target, true);
        assertSameModel(SharedData.file("models/synthetic/synth-llama-" + target + ".gguf"), out);
    }

    @ParameterizedTest(name = "TinyStories-656K Q8_0 -> {0}")
    @CsvSource({"Q4_0", "Q5_1"})
    void requantizingQ8_0MatchesLlamaQuantize(String target) throws IOException {
        Path out = tmp.resolve("out.gguf");
        ModelQuantizer.quantize(SharedData.file("models/gguf/TinyStories-656K-Q8_0.gguf"), out, target);
        assertSameModel(SharedData.file("models/gguf/TinyStories-656K-requant-" + target + ".gguf"), out);
    }

    @Test
    void q4_KMediumRaisesAttnVAndFfnDownOnLlamaCppsLayers() {
        int layers = 22;
        List<TensorTypePlan.TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorTypePlan.TensorSpec("token_embd.weight", new long[] {2048, 32000}, GgmlType.F32));
        specs.add(new TensorTypePlan.TensorSpec("output.weight", new long[] {2048, 32000}, GgmlType.F32));
        specs.add(new TensorTypePlan.TensorSpec("output_norm.weight", new long[] {2048}, GgmlType.F32));
        for (int i = 0; i < layers; i++) {
            specs.add(new TensorTypePlan.TensorSpec("blk." + i + ".attn_v.weight", new long[] {2048, 256}, GgmlType.F32));
            specs.add(new TensorTypePlan.TensorSpec("blk." + i + ".attn_q.weight", new long[] {2048, 2048}, GgmlType.F32));
            specs.add(new TensorTypePlan.TensorSpec("blk." + i + ".ffn_down.weight", new long[] {5632, 2048}, GgmlType.F32));
            specs.add(new TensorTypePlan.TensorSpec("blk." + i + ".attn_norm.weight", new long[] {2048}, GgmlType.F32));
        }
        TensorTypePlan plan = TensorTypePlan.of(QuantTarget.parse("Q4_K_M"), false,
                new TensorTypePlan.ModelFacts(layers, 32, 4, 0), specs);
        List<Integer> raised = List.of(0, 1, 4, 7, 10, 13, 16, 19, 20, 21);
        for (int i = 0; i < layers; i++) {
            GgmlType expected = raised.contains(i) ? GgmlType.Q6_K : GgmlType.Q4_K;
            assertEquals(expected, plan.typeOf("blk." + i + ".attn_v.weight"), "attn_v of layer " + i);
            assertEquals(expected, plan.typeOf("blk." + i + ".ffn_down.weight"), "ffn_down of layer " + i);
            assertEquals(GgmlType.Q4_K, plan.typeOf("blk." + i + ".attn_q.weight"), "attn_q of layer " + i);
            assertEquals(GgmlType.F32, plan.typeOf("blk." + i + ".attn_norm.weight"));
        }
        assertEquals(GgmlType.Q6_K, plan.typeOf("output.weight"));
        assertEquals(GgmlType.Q4_K, plan.typeOf("token_embd.weight"));
        assertEquals("token_embd.weight", plan.order().get(2).name(), "non-layer tensors first, by name");
        assertEquals("blk.0.attn_norm.weight", plan.order().get(3).name());
    }

    @Test
    void shapeFallbacksFollowLlamaCpp() {
        assertEquals(GgmlType.Q5_0, TensorTypePlan.fallback(GgmlType.Q4_K, 2048 + 32));
        assertEquals(GgmlType.Q5_1, TensorTypePlan.fallback(GgmlType.Q5_K, 96));
        assertEquals(GgmlType.Q8_0, TensorTypePlan.fallback(GgmlType.Q6_K, 64));
        assertEquals(GgmlType.IQ4_NL, TensorTypePlan.fallback(GgmlType.Q3_K, 64));
        assertEquals(GgmlType.F16, TensorTypePlan.fallback(GgmlType.Q4_K, 172));
        assertEquals(GgmlType.F16, TensorTypePlan.fallback(GgmlType.Q4_0, 172));
        assertEquals(GgmlType.Q4_0, TensorTypePlan.fallback(GgmlType.Q4_0, 64));
    }

    @Test
    void unknownTargetIsRefusedWithTheList() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QuantTarget.parse("Q7_X"));
        assertTrue(e.getMessage().contains("Q4_K_M"), e.getMessage());
        assertEquals(QuantTarget.Q4_K_M, QuantTarget.parse("q4_k"));
    }
}
