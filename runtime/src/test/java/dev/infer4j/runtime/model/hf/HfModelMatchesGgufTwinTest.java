package dev.infer4j.runtime.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The original Hugging Face checkpoint of TinyStories-656K against its GGUF twin (converted by llama.cpp with Q/K
 * rows permuted): loaded from the HF directory with NeoX RoPE over the unpermuted rows, it must continue the
 * prompts both tokenizers split alike exactly as the GGUF model does, and as llama.cpp did.
 */
class HfModelMatchesGgufTwinTest {
    private static final String[] PROMPTS = {"Once upon a time", "The dog ran", "Mom said to Ben,"};
    private static final int STEPS = 48;
    private static Kernels kernels;

    @BeforeAll
    static void openKernels() {
        kernels = Kernels.load(0);
    }

    @AfterAll
    static void closeKernels() {
        kernels.close();
    }

    @Test
    void f32CheckpointContinuesLikeItsGgufTwin() throws IOException {
        try (HfModel hf = HfModel.load(SharedData.file("models/safetensors/TinyStories-656K-F32"), kernels,
                KvCacheSpec.forPositions(128));
             GgufFile file = GgufFile.open(SharedData.file("models/gguf/TinyStories-656K-F32.gguf"))) {
            Model gguf = Model.load(file, kernels, KvCacheSpec.forPositions(128));
            Tokenizer ggufTokenizer = GgufTokenizers.load(file);
            for (String prompt : PROMPTS) {
                int[] ids = hf.tokenizer().encode(prompt, true, false);
                assertArrayEquals(ggufTokenizer.encode(prompt, true, false), ids,
                        "the HF and GGUF tokenizers split '" + prompt + "' differently");
                int[] ours = GreedyRun.of(hf.model(), ids, STEPS).tokens();
                int[] twin = GreedyRun.of(gguf, ids, STEPS).tokens();
                assertArrayEquals(twin, ours, "'" + prompt + "': HF checkpoint " + Arrays.toString(ours)
                        + " vs GGUF twin " + Arrays.toString(twin));
            }
        }
    }

    @Test
    void f32CheckpointReproducesLlamaCppsContinuation() throws IOException {
        JsonNode completion = null;
        for (JsonNode model : new ObjectMapper().readTree(SharedData.file("reference/llama.cpp-outputs.json").toFile())) {
            if (model.get("model").asText().equals("TinyStories-656K-F32.gguf")) {
                completion = model.get("completions").get(0);
            }
        }
        assertEquals("Once upon a time", completion.get("prompt").asText());
        int[] expected = ints(completion.get("tokens"));
        try (HfModel hf = HfModel.load(SharedData.file("models/safetensors/TinyStories-656K-F32"), kernels,
                KvCacheSpec.forPositions(128))) {
            int[] prompt = hf.tokenizer().encode("Once upon a time", true, false);
            assertArrayEquals(ints(completion.get("prompt_tokens_with_bos")), prompt, "prompt tokens");
            int[] ours = GreedyRun.of(hf.model(), prompt, expected.length).tokens();
            assertArrayEquals(expected, ours, "ours " + Arrays.toString(ours) + "\nllama.cpp " + Arrays.toString(expected));
            assertTrue(hf.generationConfig().eosTokenIds().contains(2), "generation_config eos_token_id");
            assertEquals(0, hf.model().kvCache().pool().usedBlocks(), "KV blocks leaked");
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
