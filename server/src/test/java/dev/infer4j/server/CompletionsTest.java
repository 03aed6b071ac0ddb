package dev.infer4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionsTest {

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

    @Test
    void stringPromptIsTokenizedWithBosAndAnsweredAsTextCompletion() {
        JsonNode r = t.postJson("/v1/completions", "{\"model\": \"fake-model\", \"prompt\": \"Once\"}", 200);
        assertTrue(r.get("id").asText().startsWith("cmpl-"));
        assertEquals("text_completion", r.get("object").asText());
        JsonNode choice = r.get("choices").get(0);
        assertEquals("Hello, world!", choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertTrue(choice.get("logprobs").isNull());
        assertEquals(5, r.get("usage").get("prompt_tokens").asInt(), "BOS + 4 byte tokens");
        assertArrayEquals(t.backend.tokenize("Once", true, true),
                t.backend.generations().getFirst().spec().promptTokens());
    }

    @Test
    void listOfPromptsTimesNGivesPromptMajorChoiceIndices() {
        JsonNode r = t.postJson("/v1/completions", "{\"prompt\": [\"a\", \"bc\"], \"n\": 2, \"max_tokens\": 3}", 200);
        assertEquals(4, r.get("choices").size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, r.get("choices").get(i).get("index").asInt());
            assertEquals("Hel", r.get("choices").get(i).get("text").asText());
        }
        assertEquals(2 + 3, r.get("usage").get("prompt_tokens").asInt(), "each prompt counted once");
        assertEquals(12, r.get("usage").get("completion_tokens").asInt());
        List<Integer> promptLengths = t.backend.generations().stream().map(g -> g.spec().promptTokens().length)
                .sorted().toList();
        assertEquals(List.of(2, 2, 3, 3), promptLengths);
    }

    @Test
    void tokenIdPromptsAreUsedAsGiven() {
        t.postJson("/v1/completions", "{\"prompt\": [75, 76, 77], \"max_tokens\": 2}", 200);
        assertArrayEquals(new int[]{75, 76, 77}, t.backend.generations().getFirst().spec().promptTokens());
        JsonNode r = t.postJson("/v1/completions", "{\"prompt\": [[75], [76, 77]], \"max_tokens\": 2}", 200);
        assertEquals(2, r.get("choices").size());
        assertEquals(3, r.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void echoPrependsThePromptTextInBothModes() {
        JsonNode r = t.postJson("/v1/completions", "{\"prompt\": \"Say: \", \"echo\": true, \"max_tokens\": 5}", 200);
        assertEquals("Say: Hello", r.get("choices").get(0).get("text").asText());
        JsonNode ids = t.postJson("/v1/completions", "{\"prompt\": [75, 76], \"echo\": true, \"max_tokens\": 1}", 200);
        assertEquals("HIH", ids.get("choices").get(0).get("text").asText(), "token prompts echo their decoded text");
        HttpResponse<String> s = t.post("/v1/completions",
                "{\"prompt\": \"Say: \", \"echo\": true, \"max_tokens\": 5, \"stream\": true}");
        List<JsonNode> chunks = TestServer.sseChunks(s.body());
        assertEquals("Say: ", chunks.getFirst().get("choices").get(0).get("text").asText());
        assertEquals("Say: Hello", streamedText(chunks));
    }

    @Test
    void integerLogprobsGiveTokensLogprobsTopDictsAndTextOffsets() {
        JsonNode r = t.postJson("/v1/completions", "{\"prompt\": \"x\", \"logprobs\": 2, \"max_tokens\": 4}", 200);
        JsonNode lp = r.get("choices").get(0).get("logprobs");
        assertEquals(List.of("H", "e", "l", "l"), texts(lp.get("tokens")));
        lp.get("token_logprobs").forEach(v -> assertEquals(-0.25, v.asDouble()));
        assertEquals(List.of(0, 1, 2, 3), ints(lp.get("text_offset")));
        JsonNode top = lp.get("top_logprobs").get(0);
        assertEquals(2, top.size(), "two alternatives: " + top);
        assertEquals(-0.25, top.get("H").asDouble());
        assertEquals(-2.0, top.get("b").asDouble());
    }

    @Test
    void echoWithLogprobsScoresThePromptTokensFirst() {
        JsonNode r = t.postJson("/v1/completions",
                "{\"prompt\": \"ab\", \"echo\": true, \"logprobs\": 0, \"max_tokens\": 2}", 200);
        JsonNode choice = r.get("choices").get(0);
        assertEquals("abHe", choice.get("text").asText());
        JsonNode lp = choice.get("logprobs");
        assertEquals(List.of("<s>", "a", "b", "H", "e"), texts(lp.get("tokens")));
        assertTrue(lp.get("token_logprobs").get(0).isNull(), "the first prompt token has no logprob");
        assertTrue(lp.get("top_logprobs").get(0).isNull());
        assertEquals(-1.0, lp.get("token_logprobs").get(1).asDouble());
        assertEquals(List.of(0, 3, 4, 5, 6), ints(lp.get("text_offset")));
        assertTrue(t.backend.generations().getFirst().spec().echo());
        JsonNode zero = t.postJson("/v1/completions",
                "{\"prompt\": \"ab\", \"echo\": true, \"logprobs\": 0, \"max_tokens\": 0}", 200);
        assertEquals("ab", zero.get("choices").get(0).get("text").asText(), "max_tokens 0 with echo scores the prompt");
        assertEquals("length", zero.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void streamingCompletionSendsTextChunksThenFinishThenUsageThenDone() {
        HttpResponse<String> r = t.post("/v1/completions", """
                {"prompt": "x", "max_tokens": 3, "stream": true, "stream_options": {"include_usage": true}}""");
        List<JsonNode> chunks = TestServer.sseChunks(r.body());
        assertEquals(3 + 1 + 1, chunks.size(), r.body());
        for (JsonNode c : chunks) {
            assertEquals("text_completion", c.get("object").asText());
        }
        assertEquals("Hel", streamedText(chunks));
        JsonNode finish = chunks.get(3).get("choices").get(0);
        assertEquals("length", finish.get("finish_reason").asText());
        assertEquals("", finish.get("text").asText());
        assertEquals(0, chunks.get(4).get("choices").size());
        assertEquals(2, chunks.get(4).get("usage").get("prompt_tokens").asInt());
        assertEquals(3, chunks.get(4).get("usage").get("completion_tokens").asInt());
    }

    @Test
    void streamingLogprobsCarryRunningTextOffsets() {
        HttpResponse<String> r = t.post("/v1/completions",
                "{\"prompt\": \"x\", \"max_tokens\": 3, \"stream\": true, \"logprobs\": 1}");
        List<Integer> offsets = new ArrayList<>();
        for (JsonNode c : TestServer.sseChunks(r.body())) {
            JsonNode lp = c.get("choices").get(0).get("logprobs");
            if (!lp.isNull()) {
                offsets.addAll(ints(lp.get("text_offset")));
            }
        }
        assertEquals(List.of(0, 1, 2), offsets);
    }

    private static String streamedText(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        for (JsonNode c : chunks) {
            if (!c.get("choices").isEmpty()) {
                text.append(c.get("choices").get(0).get("text").asText());
            }
        }
        return text.toString();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
