package dev.infer4j.runtime.model.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.KvType;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each TinyStories-656K checkpoint in {@code models/safetensors} (F32, GPTQ 4-bit sym and asym, AWQ GEMM) against
 * {@code reference-greedy-numpy.json}, an independent numpy forward pass over the dequantized weights: the same
 * greedy tokens, and the first step's top-5 logits within {@value #LOGIT_TOLERANCE}. numpy keeps K/V in float32,
 * so the cache here is F32 too (an F16 cache moves these logits by up to 3e-3); what remains is the F16 rounding of
 * the activations entering the tied F16 output matrix, which ggml's semantics prescribe (about 1.3e-3).
 */
class QuantizedCheckpointsMatchNumpyReferenceTest {
    private static final float LOGIT_TOLERANCE = 2e-3f;
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
    @ValueSource(strings = {"TinyStories-656K-F32", "TinyStories-656K-GPTQ-4bit-g128-sym-RTN",
            "TinyStories-656K-GPTQ-4bit-g128-asym-RTN", "TinyStories-656K-AWQ-4bit-g128-gemm-RTN"})
    void greedyTokensAndFirstLogitsMatchNumpy(String fixture) throws IOException {
        JsonNode all = new ObjectMapper().readTree(SharedData.file("models/safetensors/reference-greedy-numpy.json").toFile());
        JsonNode ref = all.get(fixture.endsWith("F32") ? fixture + " (reference)" : fixture);
        int[] prompt = {1, 80, 147, 201, 282, 57};
        int[] expected = HfModelMatchesGgufTwinTest.ints(ref.get("greedy_after_[1,80,147,201,282,57]"));
        try (HfModel hf = HfModel.load(SharedData.file("models/safetensors/" + fixture), kernels,
                KvCacheSpec.forPositions(64).withType(KvType.F32))) {
            GreedyRun run = GreedyRun.of(hf.model(), prompt, expected.length);
            StringBuilder logitErrors = new StringBuilder();
            for (JsonNode top : ref.get("first_logits_top5")) {
                int token = top.get(0).asInt();
                float want = (float) top.get(1).asDouble();
                if (Math.abs(run.firstLogits()[token] - want) > LOGIT_TOLERANCE) {
                    logitErrors.append(String.format(" token %d: %.5f vs numpy %.5f;", token, run.firstLogits()[token], want));
                }
            }
            assertTrue(logitErrors.isEmpty(), fixture + " first-step logits differ:" + logitErrors);
            assertArrayEquals(expected, run.tokens(), fixture + " greedy tokens differ at "
                    + Arrays.mismatch(expected, run.tokens()) + ":\n ours  " + Arrays.toString(run.tokens())
                    + "\n numpy " + Arrays.toString(expected));
            assertEquals(0, hf.model().kvCache().pool().usedBlocks(), "KV blocks leaked");
        }
    }
}
