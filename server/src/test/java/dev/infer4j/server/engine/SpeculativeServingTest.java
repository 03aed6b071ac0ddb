package dev.infer4j.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.server.ServerConfig;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that decodes speculatively answers greedy requests exactly as a plain server does, tells each response's
 * speculation in {@code usage.speculation} (and a plain server does not), and moves the speculation gauges of
 * {@code /metrics}.
 */
class SpeculativeServingTest {

    private static final String MODEL = "stories260K.gguf";
    private static final Path DRAFT = SharedData.file("models/gguf/stories260K-Q4_0.gguf");
    private static final String HF_DIRECTORY = "models/safetensors/TinyStories-656K-F32";
    private static final String COMPLETION = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 64, "
            + "\"temperature\": 0}";
    private static final String CHAT = "{\"messages\": [{\"role\": \"user\", \"content\": \"Tell me a story.\"}], "
            + "\"max_tokens\": 48, \"temperature\": 0}";
    private static final String STREAMED = COMPLETION.replace("{", "{\"stream\": true, "
            + "\"stream_options\": {\"include_usage\": true}, ");

    private static LiveServer plain;

    @BeforeAll
    static void startPlain() {
        plain = LiveServer.start(MODEL);
    }

    @AfterAll
    static void stopPlain() {
        plain.close();
    }

    static Stream<Arguments> speculations() {
        return Stream.of(Arguments.of("draft stories260K-Q4_0", new Speculation.DraftFile(DRAFT, 4, 0f)),
                Arguments.of("n-gram lookup", Speculation.Ngram.of(4)));
    }

    private static LiveServer speculating(String model, Speculation speculation) {
        return LiveServer.start(model, LoadOptions.defaults().withParallel(2).withSpeculation(speculation),
                ServerConfig.defaults(0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("speculations")
    void greedyAnswersEqualAPlainServersAndUsageTellsTheSpeculation(String name, Speculation speculation) {
        try (LiveServer spec = speculating(MODEL, speculation)) {
            for (String[] request : List.of(new String[] {"/v1/completions", COMPLETION},
                    new String[] {"/v1/chat/completions", CHAT})) {
                JsonNode expected = plain.postJson(request[0], request[1], 200);
                JsonNode got = spec.postJson(request[0], request[1], 200);
                assertEquals(answer(expected), answer(got), () -> name + ": " + request[0]
                        + " greedy text differs from the plain server's");
                assertFalse(expected.get("usage").has("speculation"),
                        () -> "a plain server's usage has a speculation object: " + expected.get("usage"));
                assertSpeculated(name + " " + request[0], got.get("usage"));
            }
            List<JsonNode> chunks = LiveServer.sseChunks(spec.post("/v1/completions", STREAMED).body());
            assertSpeculated(name + " streamed usage chunk", chunks.getLast().get("usage"));
            List<JsonNode> plainChunks = LiveServer.sseChunks(plain.post("/v1/completions", STREAMED).body());
            assertFalse(plainChunks.getLast().get("usage").has("speculation"),
                    () -> "a plain server's usage chunk has a speculation object: " + plainChunks.getLast());

            // the gauges are the engine's totals, published at the end of a step: wait for them
            spec.awaitEngine(s -> s.speculation().acceptedTokens() > 0 && s.running() == 0);
            String metrics = spec.get("/metrics").body();
            assertTrue(gauge(metrics, "infer4j_spec_decode_acceptance_ratio") > 0, () -> name + ":\n" + metrics);
            assertTrue(gauge(metrics, "infer4j_spec_decode_tokens_per_step") > 1, () -> name + ":\n" + metrics);
        }
    }

    @Test
    void aPlainServersSpeculationGaugesStayZero() {
        plain.postJson("/v1/completions", COMPLETION, 200);
        String metrics = plain.get("/metrics").body();
        assertEquals(0.0, gauge(metrics, "infer4j_spec_decode_acceptance_ratio"), metrics);
        assertEquals(0.0, gauge(metrics, "infer4j_spec_decode_tokens_per_step"), metrics);
    }

    @Test
    void aModelDirectorySpeculatesWithNgramLookup() {
        String request = COMPLETION.replace("Once upon a time", "Lily and Tom went to the park.");
        try (LiveServer dirPlain = LiveServer.start(HF_DIRECTORY);
             LiveServer dirSpec = speculating(HF_DIRECTORY, Speculation.Ngram.of(4))) {
            JsonNode expected = dirPlain.postJson("/v1/completions", request, 200);
            JsonNode got = dirSpec.postJson("/v1/completions", request, 200);
            assertEquals(answer(expected), answer(got), "greedy text of a model directory with n-gram lookup");
            assertSpeculated("model directory", got.get("usage"));
        }
    }

    @Test
    void aDraftModelForAModelDirectoryIsRefused() {
        LoadOptions options = LoadOptions.defaults().withSpeculation(new Speculation.DraftFile(DRAFT, 4, 0f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BackendLoader.load(SharedData.file(HF_DIRECTORY), options));
        assertTrue(e.getMessage().contains("a draft model is supported with GGUF models only"), e.getMessage());
    }

    private static String answer(JsonNode response) {
        JsonNode choice = response.get("choices").get(0);
        return choice.has("message") ? choice.get("message").get("content").asText() : choice.get("text").asText();
    }

    private static void assertSpeculated(String what, JsonNode usage) {
        JsonNode s = usage.get("speculation");
        assertTrue(s != null && s.isObject(), () -> what + ": no usage.speculation in " + usage);
        long drafted = s.get("drafted_tokens").asLong();
        long accepted = s.get("accepted_tokens").asLong();
        assertTrue(drafted > 0, () -> what + ": nothing drafted: " + s);
        assertTrue(accepted >= 0 && accepted <= drafted, () -> what + ": accepted out of range: " + s);
        assertEquals((double) accepted / drafted, s.get("acceptance_rate").asDouble(), 1e-9,
                () -> what + ": acceptance_rate is not accepted / drafted: " + s);
        assertTrue(s.get("tokens_per_step").asDouble() >= 1, () -> what + ": under a token per step: " + s);
    }

    private static double gauge(String metrics, String name) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name) + " (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        assertTrue(m.find(), () -> "no " + name + " in\n" + metrics);
        return Double.parseDouble(m.group(1));
    }
}
