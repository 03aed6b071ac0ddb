package dev.infer4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.server.fake.Script;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorsTest {

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

    private static final String MSG = "\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]";

    /** Asserts an OpenAI error body with the given status, type, param and code. */
    static JsonNode assertError(HttpResponse<String> r, int status, String type, String param, String code) {
        assertEquals(status, r.statusCode(), () -> "status, body " + r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode error = TestServer.json(r.body()).get("error");
        assertTrue(error != null && error.get("message").isTextual() && !error.get("message").asText().isEmpty(),
                () -> "error body with a message: " + r.body());
        assertEquals(type, error.get("type").asText(), () -> "type in " + r.body());
        assertEquals(param, error.get("param").isNull() ? null : error.get("param").asText(), () -> "param in " + r.body());
        assertEquals(code, error.get("code").isNull() ? null : error.get("code").asText(), () -> "code in " + r.body());
        return error;
    }

    @Test
    void malformedJsonIs400() {
        assertError(t.post("/v1/chat/completions", "{\"messages\": [}"), 400, "invalid_request_error", null,
                "invalid_json");
        assertError(t.post("/v1/completions", "[1, 2]"), 400, "invalid_request_error", null, "invalid_json");
        assertError(t.post("/v1/completions", ""), 400, "invalid_request_error", null, "invalid_json");
        assertError(t.post("/v1/completions", "{\"prompt\": \"a\"} trailing"), 400, "invalid_request_error", null,
                "invalid_json");
        assertError(t.post("/v1/completions", "{\"prompt\": \"a\", \"temperature\": NaN}"), 400,
                "invalid_request_error", null, "invalid_json");
    }

    @Test
    void missingOrWrongFieldsAre400NamingTheField() {
        String inv = "invalid_request_error";
        assertError(t.post("/v1/chat/completions", "{}"), 400, inv, "messages", null);
        assertError(t.post("/v1/chat/completions", "{\"messages\": []}"), 400, inv, "messages", null);
        assertError(t.post("/v1/chat/completions", "{\"messages\": [{\"content\": \"x\"}]}"), 400, inv,
                "messages[0].role", null);
        assertError(t.post("/v1/completions", "{\"model\": \"fake-model\"}"), 400, inv, "prompt", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"temperature\": 2.5}"), 400, inv, "temperature", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"temperature\": \"hot\"}"), 400, inv, "temperature",
                null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"top_p\": 0}"), 400, inv, "top_p", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"n\": 0}"), 400, inv, "n", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"max_tokens\": 0}"), 400, inv, "max_tokens", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"max_tokens\": 1.5}"), 400, inv, "max_tokens", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"presence_penalty\": -3}"), 400, inv,
                "presence_penalty", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"logprobs\": true, \"top_logprobs\": 21}"), 400,
                inv, "top_logprobs", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"top_logprobs\": 2}"), 400, inv, "top_logprobs",
                null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"logit_bias\": {\"99999\": 1}}"), 400, inv,
                "logit_bias", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"stop\": 5}"), 400, inv, "stop", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"stream\": \"yes\"}"), 400, inv, "stream", null);
        assertError(t.post("/v1/chat/completions", "{" + MSG + ", \"min_tokens\": 9, \"max_tokens\": 3}"), 400, inv,
                "min_tokens", null);
        assertError(t.post("/v1/completions", "{\"prompt\": [1, 99999]}"), 400, inv, "prompt[1]", null);
        assertError(t.post("/v1/completions", "{\"prompt\": \"x\", \"logprobs\": 50}"), 400, inv, "logprobs", null);
        assertTrue(t.backend.generations().isEmpty(), "nothing reached the engine");
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextIsContextLengthExceeded() {
        String longPrompt = "x".repeat(240);
        JsonNode e = assertError(t.post("/v1/completions", "{\"prompt\": \"" + longPrompt + "\", \"max_tokens\": 20}"),
                400, "invalid_request_error", "prompt", "context_length_exceeded");
        assertTrue(e.get("message").asText().contains("maximum context length is 256 tokens"), e.toString());
        assertError(t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \""
                + "y".repeat(300) + "\"}]}"), 400, "invalid_request_error", "messages", "context_length_exceeded");
        t.postJson("/v1/completions", "{\"prompt\": \"" + longPrompt + "\", \"max_tokens\": 15}", 200);
    }

    @Test
    void unknownRouteAndUnknownModelAre404() {
        assertError(t.get("/v1/nothing"), 404, "invalid_request_error", null, "unknown_url");
        assertError(t.post("/v1/chat/completions", "{\"model\": \"gpt-17\", " + MSG + "}"), 404,
                "invalid_request_error", "model", "model_not_found");
        assertError(t.get("/v1/models/gpt-17"), 404, "invalid_request_error", "model", "model_not_found");
    }

    @Test
    void wrongMethodIs405WithAllow() {
        HttpResponse<String> r = t.get("/v1/chat/completions");
        assertError(r, 405, "invalid_request_error", null, "method_not_allowed");
        assertEquals("POST", r.headers().firstValue("allow").orElse(""));
        HttpResponse<String> m = t.post("/v1/models", "{}");
        assertError(m, 405, "invalid_request_error", null, "method_not_allowed");
        assertEquals("GET", m.headers().firstValue("allow").orElse(""));
    }

    @Test
    void templateRejectionIs400AndEngineOverloadIs503WithRetryAfter() {
        assertError(t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"forbidden\", \"content\": \"x\"}]}"),
                400, "invalid_request_error", null, null);
        t.backend.overloaded(true);
        HttpResponse<String> r = t.post("/v1/chat/completions", "{" + MSG + ", \"stream\": true}");
        assertError(r, 503, "server_overloaded", null, "server_overloaded");
        assertEquals("1", r.headers().firstValue("retry-after").orElse(""));
    }

    @Test
    void engineFailureBeforeAnyByteIs500() {
        t.backend.script(spec -> Script.reply("Hello").failingAfter(2));
        assertError(t.post("/v1/chat/completions", "{" + MSG + "}"), 500, "server_error", null, null);
    }

    @Test
    void engineFailureAfterTheStreamStartedIsAnErrorEventThenDone() {
        t.backend.script(spec -> Script.reply("Hello").failingAfter(2));
        HttpResponse<String> r = t.post("/v1/chat/completions", "{" + MSG + ", \"stream\": true}");
        assertEquals(200, r.statusCode());
        List<String> data = TestServer.sseData(r.body());
        assertEquals(1 + 2 + 1 + 1, data.size(), "role, two tokens, error, [DONE]:\n" + r.body());
        JsonNode error = TestServer.json(data.get(3)).get("error");
        assertEquals("server_error", error.get("type").asText(), r.body());
        assertEquals("scripted engine failure", error.get("message").asText());
    }

    @Test
    void fullQueueIs429WithRetryAfter() throws Exception {
        try (TestServer small = new TestServer(ServerConfig.defaults(0).withMaxQueuedRequests(1), 4096)) {
            small.backend.script(spec -> Script.reply("z".repeat(2000)).withTokenDelay(2));
            CompletableFuture<HttpResponse<String>> first = small.client.sendAsync(small.request("/v1/completions")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a\", \"stream\": true}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (small.backend.generations().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            HttpResponse<String> second = small.post("/v1/completions", "{\"prompt\": \"b\"}");
            assertError(second, 429, "rate_limit_exceeded", null, "rate_limit_exceeded");
            assertEquals("1", second.headers().firstValue("retry-after").orElse(""));
            assertEquals(200, small.get("/health").statusCode(), "cheap endpoints are not queued");
            first.cancel(true);
        }
    }

    @Test
    void apiKeyGuardsTheApiButNotHealthOrMetrics() {
        try (TestServer keyed = new TestServer(ServerConfig.defaults(0).withApiKey("sk-test"), 256)) {
            HttpRequest.Builder noKey = HttpRequest.newBuilder(keyed.uri("/v1/models"));
            assertError(keyed.send(noKey.GET().build()), 401, "invalid_request_error", null, "invalid_api_key");
            HttpRequest wrong = HttpRequest.newBuilder(keyed.uri("/v1/chat/completions"))
                    .header("Authorization", "Bearer sk-nope").POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            assertError(keyed.send(wrong), 401, "invalid_request_error", null, "invalid_api_key");
            assertEquals(200, keyed.get("/v1/models").statusCode(), "the right key passes");
            assertEquals(200, keyed.send(HttpRequest.newBuilder(keyed.uri("/health")).GET().build()).statusCode());
            assertEquals(200, keyed.send(HttpRequest.newBuilder(keyed.uri("/metrics")).GET().build()).statusCode());
            assertTrue(keyed.backend.generations().isEmpty());
        }
    }

    @Test
    void oversizedBodyIs413() {
        try (TestServer small = new TestServer(ServerConfig.defaults(0).withMaxBodyBytes(2048), 256)) {
            String body = "{\"prompt\": \"" + "x".repeat(5000) + "\"}";
            assertError(small.post("/v1/completions", body), 413, "invalid_request_error", null, "request_too_large");
            assertEquals(200, small.get("/health").statusCode(), "the server still answers");
        }
    }
}
