package dev.infer4j.runtime.engine;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Greedy speculative decoding must give token for token what the target gives alone, with a draft model and with
 * n-gram lookup, for several sequences batched together; rejected tokens must leave no trace in the KV cache.
 */
class SpeculativeDecodingTest {
    private static final Path STORIES_260K = SharedData.file("models/gguf/stories260K.gguf");
    private static final Path STORIES_260K_Q4 = SharedData.file("models/gguf/stories260K-Q4_0.gguf");
    private static final Path TINY_656K = SharedData.file("models/gguf/TinyStories-656K-F32.gguf");
    private static final Path TINY_656K_Q4 = SharedData.file("models/gguf/TinyStories-656K-requant-Q4_0.gguf");
    private static final String[] PROMPTS = {"Once upon a time", "Lily and Tom went to the park.", "The cat",
            "One day, a little boy", "Tom had a big red ball and he", "A bird sang"};
    /** Small blocks and a KV cache for about three sequences, so rollbacks cross block edges and preempt. */
    private static final EngineConfig CONFIG = new EngineConfig(256, 6, 64, 0, 16, 2);

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy().toBuilder().maxTokens(maxTokens).build();
    }

    /** Every prompt submitted at once; each its own token limit. */
    private static List<int[]> generateAll(Engine engine) throws InterruptedException {
        List<GenerationStream> streams = new ArrayList<>();
        for (int i = 0; i < PROMPTS.length; i++) {
            streams.add(engine.stream(GenerationRequest.of(Prompt.text(PROMPTS[i]), greedy(60 + 10 * i))));
        }
        return Completions.collectAll(streams).stream().map(Completion::tokens).toList();
    }

    private static void awaitIdle(Engine e) throws InterruptedException {
        for (int i = 0; i < 200 && (e.stats().running() + e.stats().waiting() > 0 || e.stats().kvBlocksUsed() > 0); i++) {
            Thread.sleep(10);
        }
    }

    private static void assertSameGreedyTokens(Path target, Speculation speculation) throws Exception {
        List<int[]> plain;
        try (Engine engine = Engine.open(target, CONFIG)) {
            plain = generateAll(engine);
        }
        try (Engine engine = Engine.open(target, CONFIG, speculation)) {
            List<int[]> spec = generateAll(engine);
            for (int i = 0; i < PROMPTS.length; i++) {
                assertArrayEquals(plain.get(i), spec.get(i), target.getFileName() + " with " + speculation
                        + ": tokens for \"" + PROMPTS[i] + "\" differ from the target's own greedy tokens");
            }
            awaitIdle(engine);
            EngineStats stats = engine.stats();
            assertEquals(0, stats.kvBlocksUsed(), "every KV block returned");
            SpeculationCounts c = stats.speculation();
            System.out.printf("%s + %s: drafted %d, accepted %d (alpha %.3f), %.3f tokens per target step%n",
                    target.getFileName(), speculation, c.draftedTokens(), c.acceptedTokens(), c.acceptanceRate(),
                    c.tokensPerStep());
            assertTrue(c.draftedTokens() > 0, "nothing was proposed");
            assertTrue(c.acceptedTokens() > 0 && c.acceptedTokens() < c.draftedTokens(),
                    "expected some proposals accepted and some rejected, got " + c);
            assertTrue(c.tokensPerStep() > 1, "speculation produced no more than a token per step: " + c);
        }
    }

    @Test
    void aQuantizedDraftOfTinyStoriesGivesTheTargetsGreedyTokens() throws Exception {
        assertSameGreedyTokens(TINY_656K, new Speculation.DraftFile(TINY_656K_Q4, 4, 0f));
    }

    @Test
    void aQuantizedDraftOfStories260KGivesTheTargetsGreedyTokens() throws Exception {
        assertSameGreedyTokens(STORIES_260K, new Speculation.DraftFile(STORIES_260K_Q4, 6, 0f));
    }

    @Test
    void aDraftThatStopsAtLowConfidenceStillGivesTheTargetsGreedyTokens() throws Exception {
        assertSameGreedyTokens(STORIES_260K, new Speculation.DraftFile(STORIES_260K_Q4, 8, 0.3f));
    }

    @Test
    void ngramLookupGivesTheTargetsGreedyTokens() throws Exception {
        assertSameGreedyTokens(TINY_656K, Speculation.Ngram.of(4));
        assertSameGreedyTokens(STORIES_260K, Speculation.Ngram.of(6));
    }

    @Test
    void usageReportsEachRequestsDraftedAndAcceptedTokens() throws Exception {
        try (Engine engine = Engine.open(STORIES_260K, CONFIG, new Speculation.DraftFile(STORIES_260K_Q4, 4, 0f))) {
            Completion c = engine.complete(GenerationRequest.of(Prompt.text("Once upon a time"), greedy(40)));
            SpeculationCounts s = c.usage().speculation();
            assertEquals(40, c.usage().completionTokens());
            // the first token comes from the prompt's pass; every later one from a decode step
            assertEquals(39, s.decodeTokens(), "tokens from decode steps: " + s);
            assertEquals(s.decodeSteps() + s.acceptedTokens(), s.decodeTokens(), "one sampled token per step: " + s);
            assertTrue(s.draftedTokens() >= s.acceptedTokens() && s.draftedTokens() <= 4 * s.decodeSteps(), s.toString());
        }
    }

    @Test
    void aDraftWithAnotherVocabularyIsRefused() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> Engine.open(STORIES_260K, CONFIG, new Speculation.DraftFile(TINY_656K, 4, 0f)));
        assertTrue(e.getMessage().contains("the draft model has a vocabulary of 2048 tokens, the target 512"),
                e.getMessage());
    }

    @Test
    void withoutSpeculationTheCountsStayZero() throws IOException, InterruptedException {
        try (Engine engine = Engine.open(STORIES_260K, CONFIG)) {
            Completion c = engine.complete(GenerationRequest.of(Prompt.text("The cat"), greedy(8)));
            assertEquals(SpeculationCounts.NONE, c.usage().speculation());
            assertEquals(SpeculationCounts.NONE, engine.stats().speculation());
            assertEquals(8, Arrays.stream(c.tokens()).count());
        }
    }
}
