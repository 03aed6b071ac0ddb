package dev.infer4j.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.kernels.AttentionMethod;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real tiny models against {@code reference/llama.cpp-outputs.json}: each prompt's greedy continuation token
 * for token (up to and including EOS where llama.cpp stopped there), and the top-3 log-probabilities of the first
 * five steps within 1e-3. These references come from llama-server with its default flash attention, so the model
 * runs with {@link AttentionMethod#FLASH} (an F16 cache with a half-precision running sum); with
 * {@link AttentionMethod#SOFTMAX} the greedy tokens still match but log-probabilities move by up to 7e-3.
 */
class RealModelsMatchLlamaCppTest {
    private static final float LOGPROB_TOLERANCE = 1e-3f;
    private static Kernels kernels;

    @BeforeAll
    static void openKernels() {
        kernels = Kernels.load(0);
    }

    @AfterAll
    static void closeKernels() {
        kernels.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"stories260K.gguf", "TinyStories-656K-F32.gguf"})
    void greedyContinuationsAndTopLogprobsMatchLlamaCpp(String modelName) throws IOException {
        JsonNode entry = reference(modelName);
        try (GgufFile file = GgufFile.open(SharedData.file("models/gguf/" + modelName))) {
            Model model = Model.load(file, kernels, KvCacheSpec.forPositions(256), AttentionMethod.FLASH);
            StringBuilder failures = new StringBuilder();
            for (JsonNode completion : entry.get("completions")) {
                int[] prompt = SyntheticReference.ints(completion.get("prompt_tokens_with_bos"));
                int[] expected = SyntheticReference.ints(completion.get("tokens"));
                Greedy.Run run = Greedy.run(model, prompt, expected.length);
                if (!Arrays.equals(expected, run.tokens())) {
                    int at = Arrays.mismatch(expected, run.tokens());
                    failures.append(String.format("%n  '%s': token %d is %d, llama.cpp produced %d%n    ours:  %s%n    llama: %s",
                            completion.get("prompt").asText(), at, run.tokens()[at], expected[at],
                            Arrays.toString(run.tokens()), Arrays.toString(expected)));
                }
                JsonNode steps = completion.get("top3_first_5_steps");
                for (int s = 0; s < steps.size(); s++) {
                    float[] logprobs = Greedy.logSoftmax(run.stepLogits()[s]);
                    for (JsonNode top : steps.get(s)) {
                        int token = top.get(0).asInt();
                        float want = (float) top.get(2).asDouble();
                        if (Math.abs(logprobs[token] - want) > LOGPROB_TOLERANCE) {
                            failures.append(String.format("%n  '%s': step %d token %d log-prob %.5f, llama.cpp %.5f",
                                    completion.get("prompt").asText(), s, token, logprobs[token], want));
                        }
                    }
                }
            }
            assertEquals(0, model.kvCache().pool().usedBlocks(), "KV blocks leaked");
            if (!failures.isEmpty()) {
                fail(modelName + " differs from llama.cpp:" + failures);
            }
        }
    }

    static JsonNode reference(String modelName) throws IOException {
        JsonNode all = new ObjectMapper().readTree(SharedData.file("reference/llama.cpp-outputs.json").toFile());
        for (JsonNode entry : all) {
            if (entry.get("model").asText().equals(modelName)) {
                assertTrue(entry.get("completions").size() > 0, "reference has completions for " + modelName);
                return entry;
            }
        }
        throw new AssertionError("no reference for " + modelName);
    }
}
