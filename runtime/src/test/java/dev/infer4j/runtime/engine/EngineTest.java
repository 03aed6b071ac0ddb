package dev.infer4j.runtime.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine end to end on stories260K, checked against llama.cpp's own greedy output. */
class EngineTest {
    private static final Path MODEL = SharedData.file("models/gguf/stories260K.gguf");
    private static Engine engine;
    private static JsonNode reference;

    @BeforeAll
    static void open() throws IOException {
        engine = Engine.open(MODEL, new EngineConfig(512, 8, 256, 0, 16, 2));
        for (JsonNode m : new ObjectMapper().readTree(SharedData.file("reference/llama.cpp-outputs.json").toFile())) {
            if (m.path("model").asText().equals("stories260K.gguf")) {
                reference = m;
            }
        }
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy().toBuilder().maxTokens(maxTokens).build();
    }

    private static int[] ids(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static void awaitIdle(Engine e) throws InterruptedException {
        for (int i = 0; i < 200 && (e.stats().running() + e.stats().waiting() > 0 || e.stats().kvBlocksUsed() > 0); i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void greedyCompletionsMatchLlamaCpp() throws InterruptedException {
        for (JsonNode c : reference.path("completions")) {
            int[] expected = ids(c.path("tokens"));
            Completion got = engine.complete(GenerationRequest.of(Prompt.text(c.path("prompt").asText()),
                    greedy(c.path("n_predict").asInt())));
            assertNull(got.error());
            assertArrayEquals(expected, Arrays.copyOf(got.tokens(), expected.length),
                    "greedy tokens for \"" + c.path("prompt").asText() + "\"");
            assertEquals(c.path("content").asText(), got.text(), "text for \"" + c.path("prompt").asText() + "\"");
            assertEquals(ids(c.path("prompt_tokens_with_bos")).length, got.usage().promptTokens());
        }
    }

    @Test
    void concurrentRequestsGiveEachTheTokensItGetsAlone() throws InterruptedException {
        String[] prompts = {"Once upon a time", "Lily and Tom went to the park.", "The cat", "One day, a little boy",
                "She was", "Tom had a big red ball and he", "The sun", "A bird sang"};
        List<int[]> alone = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            alone.add(engine.complete(GenerationRequest.of(Prompt.text(prompts[i]), greedy(20 + 5 * i))).tokens());
        }
        List<GenerationStream> streams = new ArrayList<>();
        for (int i = 0; i < prompts.length; i++) {
            streams.add(engine.stream(GenerationRequest.of(Prompt.text(prompts[i]), greedy(20 + 5 * i))));
        }
        for (int i = 0; i < prompts.length; i++) {
            assertArrayEquals(alone.get(i), streams.get(i).collect().tokens(), "prompt " + i + " inside a batch of 8");
        }
        awaitIdle(engine);
        assertEquals(0, engine.stats().kvBlocksUsed(), "every KV block returned");
    }

    @Test
    void sixteenConcurrentRequestsOfMixedLengthsEachGetTheirSoloTokens() throws Exception {
        String[] starts = {"Once upon a time", "Lily and Tom went to the park.", "The cat", "One day, a little boy",
                "She was", "Tom had a big red ball and he", "The sun", "A bird sang", "Mom said", "The dog ran",
                "Ben liked to", "It was a cold day and", "The little fish", "He saw a", "They played", "At night"};
        try (Engine wide = Engine.open(MODEL, new EngineConfig(512, 16, 512, 0, 16, 2))) {
            List<int[]> alone = new ArrayList<>();
            for (int i = 0; i < starts.length; i++) {
                alone.add(wide.complete(GenerationRequest.of(Prompt.text(starts[i]), greedy(8 + 3 * i))).tokens());
            }
            List<GenerationStream> streams = new ArrayList<>();
            for (int i = 0; i < starts.length; i++) {
                streams.add(wide.stream(GenerationRequest.of(Prompt.text(starts[i]), greedy(8 + 3 * i))));
            }
            for (int i = 0; i < starts.length; i++) {
                assertArrayEquals(alone.get(i), streams.get(i).collect().tokens(), "request " + i + " among 16");
            }
            awaitIdle(wide);
            assertEquals(0, wide.stats().kvBlocksUsed());
        }
    }

    /**
     * The start-up warm-up leaves no trace a client could see: no KV block, prefix-cache entry, step or token in the
     * statistics, and the same greedy tokens as an engine that did not warm up.
     */
    @Test
    void aWarmedUpEngineShowsNothingOfItAndAnswersTheSame() throws InterruptedException, IOException {
        try (Engine warmed = Engine.open(MODEL, new EngineConfig(512, 2, 256, 0, 4, 2).withWarmUp(true))) {
            EngineStats before = warmed.stats();
            assertEquals(0, before.kvBlocksUsed(), "the warm-up's blocks were given back");
            assertEquals(0, before.prefixCachedBlocks(), "the warm-up cached no prefix");
            assertEquals(0, before.promptTokens() + before.generatedTokens() + before.steps(),
                    "the warm-up counts as no work: " + before);
            for (String prompt : new String[] {"Once upon a time", "Lily and Tom went to the park."}) {
                GenerationRequest request = GenerationRequest.of(Prompt.text(prompt), greedy(24));
                assertArrayEquals(engine.complete(request).tokens(), warmed.complete(request).tokens(),
                        "greedy tokens for \"" + prompt + "\" after the warm-up");
            }
        }
    }

    @Test
    void aStopStringEndsTheTextBeforeIt() throws InterruptedException {
        SamplingParams p = greedy(64).toBuilder().stop(List.of("little")).build();
        Completion c = engine.complete(GenerationRequest.of(Prompt.text("Once upon a time"), p));
        assertEquals(FinishReason.STOP, c.reason());
        assertEquals("little", c.stop());
        assertEquals(", there was a ", c.text());
    }

    @Test
    void theTokenLimitEndsWithLength() throws InterruptedException {
        Completion c = engine.complete(GenerationRequest.of(Prompt.text("Once upon a time"), greedy(3)));
        assertEquals(FinishReason.LENGTH, c.reason());
        assertEquals(3, c.usage().completionTokens());
        assertEquals(", there was", c.text());
    }

    @Test
    void cancellingReturnsTheBlocksAndEndsWithCancelled() throws InterruptedException {
        GenerationStream stream = engine.stream(GenerationRequest.of(Prompt.text("Once upon a time"),
                SamplingParams.defaults().toBuilder().ignoreEos(true).maxTokens(400).seed(3).build()));
        assertTrue(stream.next() instanceof GenerationEvent.Token);
        stream.handle().cancel();
        GenerationEvent last;
        do {
            last = stream.next();
        } while (last instanceof GenerationEvent.Token);
        assertEquals(FinishReason.CANCELLED, ((GenerationEvent.Finished) last).reason());
        awaitIdle(engine);
        assertEquals(0, engine.stats().kvBlocksUsed());
    }

    @Test
    void promptsTooLongForTheContextAreRefusedNamingTheField() {
        String longPrompt = "the cat sat on the mat ".repeat(200);
        RequestRejectedException e = assertThrows(RequestRejectedException.class,
                () -> engine.submit(GenerationRequest.of(Prompt.text(longPrompt), greedy(8)), event -> { }));
        assertEquals(RequestRejectedException.Reason.CONTEXT_LENGTH_EXCEEDED, e.reason());
        RequestRejectedException tooMany = assertThrows(RequestRejectedException.class,
                () -> engine.submit(GenerationRequest.of(Prompt.text("Hi"), greedy(1000)), event -> { }));
        assertEquals("max_tokens", tooMany.param());
        RequestRejectedException badId = assertThrows(RequestRejectedException.class,
                () -> engine.submit(GenerationRequest.of(new Prompt.Tokens(new int[] {1, 99999}), greedy(2)), event -> { }));
        assertEquals(RequestRejectedException.Reason.INVALID_REQUEST, badId.reason());
    }

    @Test
    void aFullQueueRefusesWithOverloadedInsteadOfWaitingForever() throws Exception {
        try (Engine small = Engine.open(MODEL, new EngineConfig(256, 1, 64, 0, 0, 1))) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch first = new CountDownLatch(1);
            small.submit(GenerationRequest.of(Prompt.text("Once"), greedy(4)), event -> {
                first.countDown();
                awaitQuietly(release);
            });
            assertTrue(first.await(10, TimeUnit.SECONDS));
            RequestRejectedException e = assertThrows(RequestRejectedException.class,
                    () -> small.submit(GenerationRequest.of(Prompt.text("Twice"), greedy(4)), event -> { }));
            assertEquals(RequestRejectedException.Reason.OVERLOADED, e.reason());
            release.countDown();
        }
    }

    @Test
    void aKvCacheTooSmallForEveryonePreemptsAndStillGivesTheSameTokens() throws Exception {
        String[] prompts = {"Once upon a time", "Lily and Tom went to the park.", "One day, a little boy"};
        List<int[]> alone = new ArrayList<>();
        for (String p : prompts) {
            alone.add(engine.complete(GenerationRequest.of(Prompt.text(p), greedy(40))).tokens());
        }
        // 5 blocks of 16 positions: three sequences of ~50 positions cannot all hold their blocks at once.
        try (Engine tight = Engine.open(MODEL, new EngineConfig(64, 3, 64, 80, 8, 1))) {
            List<GenerationStream> streams = new ArrayList<>();
            for (String p : prompts) {
                streams.add(tight.stream(GenerationRequest.of(Prompt.text(p), greedy(40))));
            }
            for (int i = 0; i < prompts.length; i++) {
                assertArrayEquals(alone.get(i), streams.get(i).collect().tokens(), "prompt " + i + " under preemption");
            }
            awaitIdle(tight);
            assertTrue(tight.stats().preemptions() > 0, "the tight cache forced preemption: " + tight.stats());
            assertEquals(0, tight.stats().kvBlocksUsed());
        }
    }

    @Test
    void aRepeatedLongPromptReusesItsCachedBlocksAndGivesTheSameTokens() throws Exception {
        String system = "Lily and Tom were best friends. They liked to play in the big green park near their house "
                + "every day after school, and their dog Max came with them. ";
        Completion first = engine.complete(GenerationRequest.of(Prompt.text(system + "One day"), greedy(16)));
        Completion second = engine.complete(GenerationRequest.of(Prompt.text(system + "One day"), greedy(16)));
        Completion sibling = engine.complete(GenerationRequest.of(Prompt.text(system + "Then Max"), greedy(16)));
        int prompt = first.usage().promptTokens();
        assertEquals(0, first.usage().cachedTokens());
        assertEquals((prompt - 1) / 16 * 16, second.usage().cachedTokens(), "whole blocks before the last token");
        assertArrayEquals(first.tokens(), second.tokens(), "reused K/V give the same continuation");
        assertTrue(sibling.usage().cachedTokens() >= 16, "a shared system prompt is reused: " + sibling.usage());
        try (Engine other = Engine.open(MODEL, new EngineConfig(512, 2, 256, 0, 4, 1))) {
            Completion alone = other.complete(GenerationRequest.of(Prompt.text(system + "Then Max"), greedy(16)));
            assertArrayEquals(alone.tokens(), sibling.tokens(), "a fresh engine computing everything agrees");
        }
        assertTrue(engine.stats().prefixHits() > 0 && engine.stats().prefixHitRate() > 0, engine.stats().toString());
    }

    @Test
    void aHuggingFaceDirectoryOpensLikeAGgufFileAndAgreesWithItsTwin() throws Exception {
        Path dir = SharedData.file("models/safetensors/TinyStories-656K-F32");
        Path twin = SharedData.file("models/gguf/TinyStories-656K-F32.gguf");
        // A prompt both tokenizers split the same way (../shared/vocab/hf/README.md).
        GenerationRequest request = GenerationRequest.of(Prompt.text("Once upon a time"), greedy(24));
        try (Engine hf = Engine.open(dir, new EngineConfig(256, 2, 128, 0, 4, 1));
             Engine gguf = Engine.open(twin, new EngineConfig(256, 2, 128, 0, 4, 1))) {
            Completion a = hf.complete(request);
            Completion b = gguf.complete(request);
            assertNull(a.error());
            assertArrayEquals(b.tokens(), a.tokens(), "safetensors directory vs its GGUF twin");
            assertEquals(b.text(), a.text());
        }
    }

    @Test
    void promptScoresEqualTheLogprobsOfGeneratingTheSameTokens() throws Exception {
        SamplingParams scored = SamplingParams.greedy().toBuilder().maxTokens(2).logprobs(1).build();
        List<Float> generated = new ArrayList<>();
        try (GenerationStream s = engine.stream(GenerationRequest.of(new Prompt.Tokens(new int[] {1, 403, 407, 261, 378}),
                scored))) {
            for (GenerationEvent e; (e = s.next()) != null; ) {
                if (e instanceof GenerationEvent.Token t) {
                    generated.add(t.logprob().logprob());
                }
            }
        }
        GenerationStream echo = engine.stream(new GenerationRequest(new Prompt.Tokens(new int[] {1, 403, 407, 261, 378,
                432, 383}), SamplingParams.greedy().toBuilder().maxTokens(0).build(), false, 2));
        GenerationEvent.PromptLogprobs p = (GenerationEvent.PromptLogprobs) echo.next();
        assertEquals(7, p.tokens().size());
        assertTrue(Float.isNaN(p.tokens().getFirst().logprob()));
        assertEquals(generated.get(0), p.tokens().get(5).logprob(), 1e-6f, "',' scored vs generated");
        assertEquals(generated.get(1), p.tokens().get(6).logprob(), 1e-6f, "' there' scored vs generated");
        assertEquals(2, p.top().get(6).size());
        GenerationEvent.Finished f = (GenerationEvent.Finished) echo.next();
        assertEquals(FinishReason.LENGTH, f.reason());
        assertEquals(0, f.usage().completionTokens(), "max_tokens 0 generates nothing");
        assertNull(echo.next());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
