package dev.infer4j.runtime.engine;

import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many sequences in one continuous batch, each with its own sampling parameters, decoding speculatively: the greedy
 * ones (plain, and with repetition penalties that read the history each verified position must see) give the
 * target's own greedy tokens, and the sampled ones (their own temperature, filters and seed) give the same tokens
 * every time the batch runs, on a fresh engine or on the same one with its prefix cache warm, and alone. (With a token
 * budget that never cuts a sequence's proposals, its steps do not depend on its neighbours.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpeculativeMixedBatchTest {
    private static final Path TARGET = SharedData.file("models/gguf/stories260K.gguf");
    private static final Path DRAFT = SharedData.file("models/gguf/stories260K-Q4_0.gguf");
    private static final EngineConfig CONFIG = new EngineConfig(256, 8, 512, 0, 8, 2);
    private static final String[] PROMPTS = {"Once upon a time", "Lily saw a cat. Lily saw a bird. Lily saw a",
            "Tom had a big red ball and he", "The cat", "One day, a little boy", "A bird sang",
            "Lily and Tom went to the park.", "The sun was hot and"};
    private static final SamplingParams[] PARAMS = {
            greedy().maxTokens(48).build(),
            SamplingParams.builder().temperature(0.7f).topK(0).topP(0.9f).minP(0f).seed(1).maxTokens(40).build(),
            greedy().repeatPenalty(1.3f).repeatLastN(16).maxTokens(44).build(),
            SamplingParams.builder().temperature(1.0f).topK(40).topP(1f).minP(0f).seed(2).maxTokens(36).build(),
            greedy().frequencyPenalty(0.5f).presencePenalty(0.3f).maxTokens(40).build(),
            SamplingParams.builder().temperature(1.3f).topK(0).topP(1f).minP(0.05f).seed(3).maxTokens(48).build(),
            greedy().maxTokens(32).build(),
            SamplingParams.builder().temperature(0.9f).topK(20).topP(0.95f).minP(0f).repeatPenalty(1.1f).seed(4)
                    .maxTokens(40).build()};

    private static SamplingParams.Builder greedy() {
        return SamplingParams.greedy().toBuilder();
    }

    private static boolean isGreedy(int i) {
        return PARAMS[i].temperature() == 0f;
    }

    private static Speculation speculation(String method) {
        return switch (method) {
            case "draft" -> new Speculation.DraftFile(DRAFT, 4, 0f);
            case "ngram" -> Speculation.Ngram.of(4);
            default -> throw new IllegalArgumentException(method);
        };
    }

    /** Every request submitted at once. */
    private static List<Completion> runBatch(Engine engine) throws InterruptedException {
        List<GenerationStream> streams = new ArrayList<>();
        for (int i = 0; i < PROMPTS.length; i++) {
            streams.add(engine.stream(GenerationRequest.of(Prompt.text(PROMPTS[i]), PARAMS[i])));
        }
        return Completions.collectAll(streams);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"draft", "ngram"})
    void eachSequenceOfAMixedBatchKeepsItsOwnSamplingUnderSpeculation(String method) throws Exception {
        List<Completion> plain;
        try (Engine engine = Engine.open(TARGET, CONFIG)) {
            plain = runBatch(engine);
        }
        List<Completion> first;
        List<Completion> again;
        try (Engine engine = Engine.open(TARGET, CONFIG, speculation(method))) {
            first = runBatch(engine);
            again = runBatch(engine);
        }
        List<Completion> fresh;
        List<Completion> solo = new ArrayList<>();
        try (Engine engine = Engine.open(TARGET, CONFIG, speculation(method))) {
            fresh = runBatch(engine);
            for (int i = 0; i < PROMPTS.length; i++) {
                solo.add(engine.complete(GenerationRequest.of(Prompt.text(PROMPTS[i]), PARAMS[i])));
            }
        }
        long greedyDrafted = 0;
        long sampledDrafted = 0;
        long sampledAccepted = 0;
        for (int i = 0; i < PROMPTS.length; i++) {
            String what = method + ", \"" + PROMPTS[i] + "\" with " + PARAMS[i];
            SpeculationCounts c = first.get(i).usage().speculation();
            if (isGreedy(i)) {
                assertArrayEquals(plain.get(i).tokens(), first.get(i).tokens(),
                        what + ": greedy tokens differ from the target's own");
                greedyDrafted += c.draftedTokens();
            } else {
                sampledDrafted += c.draftedTokens();
                sampledAccepted += c.acceptedTokens();
            }
            assertArrayEquals(first.get(i).tokens(), again.get(i).tokens(),
                    what + ": the same batch again on the same engine gave other tokens");
            assertArrayEquals(first.get(i).tokens(), fresh.get(i).tokens(),
                    what + ": the same batch on a fresh engine gave other tokens");
            assertArrayEquals(first.get(i).tokens(), solo.get(i).tokens(),
                    what + ": the request alone gave other tokens than in the batch");
        }
        assertTrue(greedyDrafted > 0, method + ": the greedy sequences had nothing proposed");
        assertTrue(sampledAccepted > 0 && sampledAccepted < sampledDrafted, method
                + ": expected the sampled sequences' proposals both accepted and rejected, got " + sampledAccepted
                + " of " + sampledDrafted);
    }
}
