package dev.infer4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.server.backend.GenerationSpec;
import dev.infer4j.server.backend.SamplingParams;
import dev.infer4j.server.fake.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatCompletionsTest {

    private static TestServer t;

    @BeforeAll
    static void start() {
        t = TestServer.start();
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @BeforeEach
    void reset() {
        t.backend.reset();
    }

    private static final String HELLO = """
            {"model": "fake-model", "messages": [{"role": "user", "content": "Hi"}]""";

    private static String chat(String extra) {
        return HELLO + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    /** Prompt tokens of the fake template for a single user message "Hi". */
    private static final int HI_PROMPT_TOKENS = 1 + "<|user|>Hi\n<|assistant|>".length();

    @Test
    void nonStreamingChatReturnsTheMessageFinishReasonAndUsage() {
        t.backend.cachedTokens(5);
        JsonNode r = t.postJson("/v1/chat/completions", chat(""), 200);
        assertTrue(r.get("id").asText().startsWith("chatcmpl-"), "id " + r.get("id"));
        assertEquals("chat.completion", r.get("object").asText());
        assertEquals("fake-model", r.get("model").asText());
        assertTrue(r.get("created").asLong() > 1_600_000_000L);
        JsonNode choice = r.get("choices").get(0);
        assertEquals(1, r.get("choices").size());
        assertEquals(0, choice.get("index").asInt());
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals("Hello, world!", choice.get("message").get("content").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertTrue(choice.get("logprobs").isNull());
        JsonNode usage = r.get("usage");
        assertEquals(HI_PROMPT_TOKENS, usage.get("prompt_tokens").asInt());
        assertEquals(13, usage.get("completion_tokens").asInt());
        assertEquals(HI_PROMPT_TOKENS + 13, usage.get("total_tokens").asInt());
        assertEquals(5, usage.get("prompt_tokens_details").get("cached_tokens").asInt());
        // the backend received the template's rendering, tokenized with special tokens parsed and no BOS added
        GenerationSpec spec = t.backend.generations().getFirst().spec();
        assertArrayEquals(t.backend.tokenize("<s><|user|>Hi\n<|assistant|>", false, true), spec.promptTokens());
        assertEquals(256 - HI_PROMPT_TOKENS, spec.maxTokens(), "max_tokens defaults to what the context leaves");
    }

    @Test
    void streamingChatSendsRoleThenOneChunkPerTokenThenFinishThenDone() {
        HttpResponse<String> r = t.post("/v1/chat/completions", chat("\"stream\": true"));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"),
                "content-type " + r.headers().map());
        assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(""));
        List<JsonNode> chunks = TestServer.sseChunks(r.body());
        assertEquals(1 + 13 + 1, chunks.size(), "role + 13 tokens + finish:\n" + r.body());
        String id = chunks.getFirst().get("id").asText();
        long created = chunks.getFirst().get("created").asLong();
        for (JsonNode c : chunks) {
            assertEquals(id, c.get("id").asText());
            assertEquals(created, c.get("created").asLong());
            assertEquals("chat.completion.chunk", c.get("object").asText());
            assertEquals("fake-model", c.get("model").asText());
            assertFalse(c.has("usage"), "no usage field without include_usage: " + c);
            assertEquals(1, c.get("choices").size());
            assertEquals(0, c.get("choices").get(0).get("index").asInt());
        }
        JsonNode role = chunks.getFirst().get("choices").get(0);
        assertEquals("assistant", role.get("delta").get("role").asText());
        assertEquals("", role.get("delta").get("content").asText());
        assertTrue(role.get("finish_reason").isNull());
        StringBuilder text = new StringBuilder();
        for (JsonNode c : chunks.subList(1, 14)) {
            JsonNode choice = c.get("choices").get(0);
            assertFalse(choice.get("delta").has("role"));
            assertTrue(choice.get("finish_reason").isNull());
            text.append(choice.get("delta").get("content").asText());
        }
        assertEquals("Hello, world!", text.toString());
        JsonNode last = chunks.getLast().get("choices").get(0);
        assertEquals(0, last.get("delta").size(), "final delta is empty: " + last);
        assertEquals("stop", last.get("finish_reason").asText());
    }

    @Test
    void includeUsageAddsNullUsageToChunksAndAFinalUsageChunkWithNoChoices() {
        HttpResponse<String> r = t.post("/v1/chat/completions",
                chat("\"stream\": true, \"stream_options\": {\"include_usage\": true}"));
        List<JsonNode> chunks = TestServer.sseChunks(r.body());
        assertEquals(1 + 13 + 1 + 1, chunks.size(), r.body());
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            assertTrue(c.has("usage") && c.get("usage").isNull(), "usage null in " + c);
        }
        JsonNode usageChunk = chunks.getLast();
        assertEquals(0, usageChunk.get("choices").size());
        assertEquals(HI_PROMPT_TOKENS, usageChunk.get("usage").get("prompt_tokens").asInt());
        assertEquals(13, usageChunk.get("usage").get("completion_tokens").asInt());
        assertEquals(HI_PROMPT_TOKENS + 13, usageChunk.get("usage").get("total_tokens").asInt());
    }

    @Test
    void streamingWithNTwoCarriesEachChoiceIndexAndSumsUsage() {
        t.backend.script(spec -> Script.reply(spec.sampling().seed().orElse(0) == 8 ? "second" : "first"));
        HttpResponse<String> r = t.post("/v1/chat/completions",
                chat("\"stream\": true, \"n\": 2, \"seed\": 7, \"stream_options\": {\"include_usage\": true}"));
        List<JsonNode> chunks = TestServer.sseChunks(r.body());
        Map<Integer, StringBuilder> text = Map.of(0, new StringBuilder(), 1, new StringBuilder());
        Map<Integer, List<String>> kinds = Map.of(0, new ArrayList<>(), 1, new ArrayList<>());
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            JsonNode choice = c.get("choices").get(0);
            int index = choice.get("index").asInt();
            JsonNode delta = choice.get("delta");
            if (delta.has("role")) {
                kinds.get(index).add("role");
            } else if (!choice.get("finish_reason").isNull()) {
                kinds.get(index).add("finish");
            } else {
                kinds.get(index).add("content");
                text.get(index).append(delta.get("content").asText());
            }
        }
        assertEquals("first", text.get(0).toString(), "choice 0 is seeded 7");
        assertEquals("second", text.get(1).toString(), "choice 1 is seeded 8");
        assertEquals("role", kinds.get(0).getFirst());
        assertEquals("finish", kinds.get(0).getLast());
        assertEquals("role", kinds.get(1).getFirst());
        assertEquals("finish", kinds.get(1).getLast());
        JsonNode usage = chunks.getLast().get("usage");
        assertEquals(HI_PROMPT_TOKENS, usage.get("prompt_tokens").asInt(), "the prompt is read once for n=2");
        assertEquals(5 + 6, usage.get("completion_tokens").asInt());
    }

    @Test
    void nonStreamingWithNTwoReturnsBothChoicesInIndexOrder() {
        JsonNode r = t.postJson("/v1/chat/completions", chat("\"n\": 2"), 200);
        assertEquals(2, r.get("choices").size());
        for (int i = 0; i < 2; i++) {
            assertEquals(i, r.get("choices").get(i).get("index").asInt());
            assertEquals("Hello, world!", r.get("choices").get(i).get("message").get("content").asText());
        }
        assertEquals(26, r.get("usage").get("completion_tokens").asInt());
        assertEquals(2, t.backend.generations().size());
    }

    @Test
    void maxTokensEndsWithFinishReasonLength() {
        JsonNode r = t.postJson("/v1/chat/completions", chat("\"max_tokens\": 5"), 200);
        assertEquals("Hello", r.get("choices").get(0).get("message").get("content").asText());
        assertEquals("length", r.get("choices").get(0).get("finish_reason").asText());
        assertEquals(5, r.get("usage").get("completion_tokens").asInt());
        JsonNode r2 = t.postJson("/v1/chat/completions", chat("\"max_tokens\": 100, \"max_completion_tokens\": 3"), 200);
        assertEquals("Hel", r2.get("choices").get(0).get("message").get("content").asText(),
                "max_completion_tokens wins over max_tokens");
    }

    @Test
    void stopStringCutsTheOutputAndNeverLeaksAPartialMatch() {
        JsonNode r = t.postJson("/v1/chat/completions", chat("\"stop\": \", w\""), 200);
        assertEquals("Hello", r.get("choices").get(0).get("message").get("content").asText());
        assertEquals("stop", r.get("choices").get(0).get("finish_reason").asText());
        HttpResponse<String> s = t.post("/v1/chat/completions", chat("\"stream\": true, \"stop\": [\"xyz\", \", w\"]"));
        StringBuilder text = new StringBuilder();
        for (JsonNode c : TestServer.sseChunks(s.body())) {
            JsonNode delta = c.get("choices").get(0).get("delta");
            if (delta.has("content")) {
                text.append(delta.get("content").asText());
            }
        }
        assertEquals("Hello", text.toString());
        assertEquals(List.of("xyz", ", w"), t.backend.generations().getLast().spec().stopStrings());
    }

    @Test
    void multiByteCharactersArriveWholeInStreamedDeltas() {
        t.backend.script(spec -> Script.reply("héllo 🌍!"));
        HttpResponse<String> r = t.post("/v1/chat/completions", chat("\"stream\": true"));
        StringBuilder text = new StringBuilder();
        for (JsonNode c : TestServer.sseChunks(r.body())) {
            JsonNode delta = c.get("choices").get(0).get("delta");
            if (delta.has("content")) {
                assertFalse(delta.get("content").asText().contains("\uFFFD"), "split character in " + c);
                text.append(delta.get("content").asText());
            }
        }
        assertEquals("héllo 🌍!", text.toString());
    }

    @Test
    void logprobsReportEachTokenWithBytesAndTopAlternatives() {
        JsonNode r = t.postJson("/v1/chat/completions", chat("\"logprobs\": true, \"top_logprobs\": 2"), 200);
        JsonNode content = r.get("choices").get(0).get("logprobs").get("content");
        assertEquals(13, content.size());
        JsonNode first = content.get(0);
        assertEquals("H", first.get("token").asText());
        assertEquals(-0.25, first.get("logprob").asDouble());
        assertEquals(List.of(72), intList(first.get("bytes")));
        assertEquals(2, first.get("top_logprobs").size());
        assertEquals("H", first.get("top_logprobs").get(0).get("token").asText());
        assertEquals("b", first.get("top_logprobs").get(1).get("token").asText());
        assertEquals(-2.0, first.get("top_logprobs").get(1).get("logprob").asDouble());
        assertEquals(2, t.backend.generations().getFirst().spec().logprobs());

        HttpResponse<String> s = t.post("/v1/chat/completions", chat("\"stream\": true, \"logprobs\": true"));
        List<JsonNode> chunks = TestServer.sseChunks(s.body());
        JsonNode tokenChunk = chunks.get(1).get("choices").get(0);
        assertEquals("H", tokenChunk.get("logprobs").get("content").get(0).get("token").asText());
        assertEquals(0, tokenChunk.get("logprobs").get("content").get(0).get("top_logprobs").size());
        assertEquals(0, t.backend.generations().getLast().spec().logprobs());
    }

    @Test
    void everySamplingFieldReachesTheBackend() {
        t.postJson("/v1/chat/completions", chat("""
                "temperature": 0.5, "top_p": 0.9, "top_k": 40, "min_p": 0.05, "typical_p": 0.95,
                "repeat_penalty": 1.1, "presence_penalty": 0.5, "frequency_penalty": -0.25,
                "logit_bias": {"10": -100, "11": 5.5}, "seed": 42, "stop_token_ids": [50, 51], "min_tokens": 2,
                "ignore_eos": true, "max_tokens": 20, "n": 2, "user": "someone"
                """), 200);
        GenerationSpec spec = t.backend.generations().getFirst().spec();
        SamplingParams s = spec.sampling();
        assertEquals(0.5, s.temperature());
        assertEquals(0.9, s.topP());
        assertEquals(40, s.topK());
        assertEquals(0.05, s.minP());
        assertEquals(0.95, s.typicalP());
        assertEquals(1.1, s.repetitionPenalty());
        assertEquals(0.5, s.presencePenalty());
        assertEquals(-0.25, s.frequencyPenalty());
        assertEquals(Map.of(10, -100.0, 11, 5.5), s.logitBias());
        assertEquals(42, s.seed().orElseThrow());
        assertArrayEquals(new int[]{50, 51}, spec.stopTokenIds());
        assertEquals(2, spec.minTokens());
        assertTrue(spec.ignoreEos());
        assertEquals(20, spec.maxTokens());
        assertEquals(-1, spec.logprobs());
        assertEquals(43, t.backend.generations().get(1).spec().sampling().seed().orElseThrow(),
                "the second choice samples with seed + 1");
        t.postJson("/v1/chat/completions", chat("\"repetition_penalty\": 1.3, \"top_k\": -1"), 200);
        assertEquals(1.3, t.backend.generations().getLast().spec().sampling().repetitionPenalty());
        assertEquals(0, t.backend.generations().getLast().spec().sampling().topK(), "top_k -1 disables");
    }

    @Test
    void defaultsAreNeutralAndUnknownFieldsAreIgnored() {
        t.postJson("/v1/chat/completions", """
                {"messages": [{"role": "system", "content": [{"type": "text", "text": "Be brief."}]},
                              {"role": "user", "content": "Hi", "name": "bob"}],
                 "response_format": {"type": "text"}, "metadata": {"a": 1}, "frobnicate": [1, 2, 3],
                 "parallel_tool_calls": false, "temperature": null}
                """, 200);
        SamplingParams s = t.backend.generations().getFirst().spec().sampling();
        assertEquals(new SamplingParams(1.0, 1.0, 0, 0.0, 1.0, 1.0, 0.0, 0.0, Map.of(),
                java.util.OptionalLong.empty()), s);
    }

    @Test
    void toolsAndTemplateKwargsReachTheTemplate() {
        JsonNode r = t.postJson("/v1/chat/completions", chat("""
                "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
                "chat_template_kwargs": {"enable_thinking": false}
                """), 200);
        assertEquals(1 + "<|tools|>1\n<|user|>Hi\n<|assistant|>".length(),
                r.get("usage").get("prompt_tokens").asInt());
    }

    private static List<Integer> intList(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
