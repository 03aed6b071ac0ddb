package dev.infer4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointsTest {

    private static TestServer t;

    @BeforeAll
    static void start() {
        t = TestServer.start();
    }

    @AfterAll
    static void stop() {
        t.close();
    }

    @Test
    void modelsListsTheServedModelWithItsMetadata() {
        JsonNode r = TestServer.json(t.get("/v1/models").body());
        assertEquals("list", r.get("object").asText());
        assertEquals(1, r.get("data").size());
        JsonNode m = r.get("data").get(0);
        assertEquals("fake-model", m.get("id").asText());
        assertEquals("model", m.get("object").asText());
        assertEquals(1_700_000_000L, m.get("created").asLong());
        assertEquals("infer4j", m.get("owned_by").asText());
        assertEquals(256, m.get("max_model_len").asInt());
        HttpResponse<String> one = t.get("/v1/models/fake-model");
        assertEquals(200, one.statusCode());
        assertEquals("fake-model", TestServer.json(one.body()).get("id").asText());
    }

    @Test
    void aliasIsWhatClientsSeeAndBothNamesAreAccepted() {
        try (TestServer aliased = new TestServer(ServerConfig.defaults(0).withModelAlias("tiny"), 256)) {
            assertEquals("tiny", TestServer.json(aliased.get("/v1/models").body()).get("data").get(0).get("id").asText());
            assertEquals(200, aliased.get("/v1/models/tiny").statusCode());
            JsonNode r = aliased.postJson("/v1/completions", "{\"model\": \"tiny\", \"prompt\": \"a\"}", 200);
            assertEquals("tiny", r.get("model").asText());
            aliased.postJson("/v1/completions", "{\"model\": \"fake-model\", \"prompt\": \"a\"}", 200);
        }
    }

    @Test
    void healthIsOk() {
        HttpResponse<String> r = t.get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("ok", TestServer.json(r.body()).get("status").asText());
    }

    @Test
    void tokenizeAndDetokenizeUseLlamaCppShapes() {
        JsonNode plain = t.postJson("/tokenize", "{\"content\": \"hé\"}", 200);
        assertEquals("[107,198,172]", plain.get("tokens").toString());
        JsonNode special = t.postJson("/tokenize", "{\"content\": \"<s>h\", \"add_special\": true}", 200);
        assertEquals("[1,1,107]", special.get("tokens").toString(), "BOS added and <s> parsed");
        JsonNode pieces = t.postJson("/tokenize", "{\"content\": \"hé\", \"with_pieces\": true}", 200);
        assertEquals("[{\"id\":107,\"piece\":\"h\"},{\"id\":198,\"piece\":[195]},{\"id\":172,\"piece\":[169]}]",
                pieces.get("tokens").toString(), "a piece that is not whole UTF-8 is given as bytes");
        JsonNode text = t.postJson("/detokenize", "{\"tokens\": [107, 198, 172]}", 200);
        assertEquals("hé", text.get("content").asText());
        ErrorsTest.assertError(t.post("/detokenize", "{\"tokens\": [5, 100000]}"), 400, "invalid_request_error",
                "tokens[1]", null);
        ErrorsTest.assertError(t.post("/tokenize", "{\"text\": \"x\"}"), 400, "invalid_request_error", "content", null);
    }

    @Test
    void metricsExposeCountersSummariesAndGaugesInPrometheusText() {
        t.postJson("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}", 200);
        t.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"stream\": true}");
        t.post("/v1/completions", "{}");
        HttpResponse<String> r = t.get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"));
        String m = r.body();
        assertTrue(value(m, "infer4j_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"}") >= 2, m);
        assertTrue(value(m, "infer4j_requests_total{endpoint=\"/v1/completions\",status=\"400\"}") >= 1, m);
        assertTrue(value(m, "infer4j_prompt_tokens_total") >= 2 * 25, m);
        assertTrue(value(m, "infer4j_generation_tokens_total") >= 26, m);
        for (String summary : new String[]{"infer4j_time_to_first_token_seconds", "infer4j_inter_token_latency_seconds",
                "infer4j_e2e_request_latency_seconds"}) {
            assertTrue(m.contains("# TYPE " + summary + " summary\n"), summary + " in\n" + m);
            assertTrue(m.contains(summary + "{quantile=\"0.99\"} "), summary + " quantiles in\n" + m);
            assertTrue(value(m, summary + "_count") >= 2, summary + " count in\n" + m);
        }
        assertTrue(value(m, "infer4j_inter_token_latency_seconds_count") >= 2 * 12, m);
        for (String gauge : new String[]{"infer4j_queue_depth", "infer4j_running_sequences",
                "infer4j_kv_cache_usage_ratio", "infer4j_requests_in_flight",
                "infer4j_prefix_cache_hit_ratio", "infer4j_spec_decode_acceptance_ratio"}) {
            assertTrue(m.contains("# TYPE " + gauge + " gauge\n"), gauge + " in\n" + m);
            assertEquals(0.0, value(m, gauge), gauge + " at rest in\n" + m);
        }
        assertTrue(m.contains("# TYPE infer4j_preemptions_total counter\n"), m);
        assertEquals(0.0, value(m, "infer4j_preemptions_total"), m);
        for (String line : m.split("\n")) {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ")
                    || line.matches("infer4j_[a-z0-9_]+(\\{.*})? \\S+"), "not exposition format: " + line);
        }
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in\n" + metrics);
        }
        return Double.parseDouble(m.group(1));
    }
}
