package dev.infer4j.formats.hf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json of the shared fixtures, and clear refusals of quantization variants that are not read. */
class HfModelConfigTest {
    private static final String BASE = """
            {"model_type": "llama", "hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 2,
             "num_attention_heads": 8, "num_key_value_heads": 4, "vocab_size": 2048, "tie_word_embeddings": true,
             "quantization_config": %s}""";

    @Test
    void readsTheFixturesConfigs() {
        HfModelConfig f32 = HfModelConfig.read(SharedData.file("models/safetensors/TinyStories-656K-F32"));
        assertEquals(128, f32.hiddenSize());
        assertEquals(16, f32.headDim());
        assertEquals(4, f32.kvHeads());
        assertTrue(f32.tieWordEmbeddings());
        assertEquals(1e-6f, f32.rmsNormEps());
        assertNull(f32.quantization());
        HfQuantization gptq = HfModelConfig.read(SharedData.file("models/safetensors/TinyStories-656K-GPTQ-4bit-g128-asym-RTN")).quantization();
        assertEquals(new HfQuantization(PackedLayout.GPTQ, 4, 128, false, false, 1), gptq);
        HfQuantization awq = HfModelConfig.read(SharedData.file("models/safetensors/TinyStories-656K-AWQ-4bit-g128-gemm-RTN")).quantization();
        assertEquals(new HfQuantization(PackedLayout.AWQ_GEMM, 4, 128, false, false, 0), awq);
        HfGenerationConfig g = HfGenerationConfig.read(SharedData.file("models/safetensors/TinyStories-656K-F32"));
        assertEquals(1, g.bosTokenId());
        assertEquals(java.util.List.of(2), g.eosTokenIds());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"quant_method\": \"gptq\", \"bits\": 3, \"group_size\": 128}|quantization_config.bits = 3",
            "{\"quant_method\": \"gptq\", \"bits\": 4, \"group_size\": 128, \"checkpoint_format\": \"marlin\"}|quantization_config.checkpoint_format = marlin",
            "{\"quant_method\": \"gptq\", \"bits\": 4, \"group_size\": 128, \"is_marlin_format\": true}|quantization_config.is_marlin_format = true",
            "{\"quant_method\": \"exl2\", \"bits\": 4}|quantization_config.quant_method = exl2",
            "{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": 128, \"version\": \"gemv\"}|quantization_config.version = gemv",
            "{\"quant_method\": \"awq\", \"bits\": 4, \"group_size\": 128, \"version\": \"exllama\"}|quantization_config.version = exllama",
            "{\"quant_method\": \"bitsandbytes\"}|quantization_config.quant_method = bitsandbytes"})
    void refusesUnsupportedVariantsNamingKeyAndValue(String quantization, String message, @TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), BASE.formatted(quantization));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfModelConfig.read(dir));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void readsGptqV2AndActOrder(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), BASE.formatted(
                "{\"quant_method\": \"gptq\", \"bits\": 8, \"group_size\": -1, \"desc_act\": true, \"sym\": true, \"checkpoint_format\": \"gptq_v2\"}"));
        HfQuantization q = HfModelConfig.read(dir).quantization();
        assertEquals(new HfQuantization(PackedLayout.GPTQ, 8, -1, true, true, 0), q);
        assertEquals(384, q.groupSizeFor(384));
    }
}
