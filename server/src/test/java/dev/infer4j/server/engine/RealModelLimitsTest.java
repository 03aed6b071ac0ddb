package dev.infer4j.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.runtime.engine.EngineStats;
import dev.infer4j.server.ServerConfig;
import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.GenerationSpec;
import dev.infer4j.server.backend.SamplingParams;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a real engine does at its limits, seen over HTTP: hang-ups, full queues, prompts that do not fit. */
class RealModelLimitsTest {

    private static final String MODEL = "stories260K.gguf";
    /** A long generation: past the end-of-story token, far longer than any test waits. */
    private static final String LONG_STREAM = "{\"prompt\": \"Once upon a time\", \"max_tokens\": 8000, "
            + "\"ignore_eos\": true, \"temperature\": 0, \"stream\": true}";

    /** A streaming request on a plain socket, read until a few events arrived, then left open or hung up. */
    private static final class StreamingClient implements AutoCloseable {
        private final Socket socket;

        StreamingClient(int port, String body) {
            try {
                socket = new Socket(InetAddress.getLoopbackAddress(), port);
                socket.setSoTimeout(10_000);
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                String head = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + bytes.length + "\r\n\r\n";
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(bytes);
                socket.getOutputStream().flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Reads until {@code events} server-sent events arrived; returns what was read. */
        String readEvents(int events) {
            StringBuilder got = new StringBuilder();
            byte[] buffer = new byte[4096];
            try {
                InputStream in = socket.getInputStream();
                while (got.toString().split("data: ", -1).length - 1 < events) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        throw new AssertionError("the server closed the stream early:\n" + got);
                    }
                    got.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("after reading:\n" + got, e);
            }
            return got.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static LiveServer server(int parallel, int maxWaiting, int maxQueuedRequests, int context) {
        return LiveServer.start(MODEL, LoadOptions.defaults().withParallel(parallel).withMaxWaiting(maxWaiting)
                .withContextLength(context), ServerConfig.defaults(0).withMaxQueuedRequests(maxQueuedRequests));
    }

    @Test
    void clientThatHangsUpMidStreamCancelsItsGenerationAndEveryKvBlockComesBack() {
        try (LiveServer live = server(2, 8, 8, 8192)) {
            long generatedBefore = live.backend.engine().stats().generatedTokens();
            try (StreamingClient client = new StreamingClient(live.port(), LONG_STREAM)) {
                String head = client.readEvents(3);
                assertTrue(head.startsWith("HTTP/1.1 200"), head);
                assertTrue(live.backend.engine().stats().kvBlocksUsed() > 0, "the stream holds KV blocks while it runs");
            }
            EngineStats after = live.awaitEngine(s -> s.running() == 0 && s.waiting() == 0 && s.kvBlocksUsed() == 0);
            assertEquals(0, after.running(), "sequences still running after the client left: " + after);
            assertEquals(0, after.kvBlocksUsed(), "KV blocks not returned after the client left: " + after);
            long generated = after.generatedTokens() - generatedBefore;
            assertTrue(generated < 8000, "the generation was cancelled, not run to its end: " + generated + " tokens");

            JsonNode r = live.postJson("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 4, "
                    + "\"temperature\": 0}", 200);
            assertEquals(", there was a", r.get("choices").get(0).get("text").asText(), "the engine serves on");
        }
    }

    @Test
    void fullServerQueueAnswers429AndTheEngineRunsOn() {
        try (LiveServer live = server(2, 8, 1, 8192)) {
            try (StreamingClient busy = new StreamingClient(live.port(), LONG_STREAM)) {
                busy.readEvents(1);
                HttpResponse<String> r = live.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}");
                assertEquals(429, r.statusCode(), r.body());
                assertTrue(r.headers().firstValue("retry-after").isPresent(), "429 carries Retry-After");
                assertTrue(LiveServer.json(r.body()).get("error").get("message").isTextual(), r.body());
            }
            EngineStats after = live.awaitEngine(s -> s.running() == 0 && s.kvBlocksUsed() == 0);
            assertEquals(0, after.kvBlocksUsed(), "KV blocks after the busy client left: " + after);
            live.postJson("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}", 200);
        }
    }

    @Test
    void fullEngineQueueAnswers503() {
        try (LiveServer live = server(1, 0, 8, 8192)) {
            try (StreamingClient busy = new StreamingClient(live.port(), LONG_STREAM)) {
                busy.readEvents(1);
                HttpResponse<String> r = live.post("/v1/completions", "{\"prompt\": \"Hi\", \"max_tokens\": 2}");
                assertEquals(503, r.statusCode(), r.body());
                assertEquals("server_overloaded", LiveServer.json(r.body()).get("error").get("code").asText(), r.body());
                assertTrue(r.headers().firstValue("retry-after").isPresent(), "503 carries Retry-After");
            }
            assertEquals(0, live.awaitEngine(s -> s.kvBlocksUsed() == 0).kvBlocksUsed(), "KV blocks leaked");
        }
    }

    @Test
    void promptAndCompletionBeyondTheContextAre400ContextLengthExceeded() {
        try (LiveServer live = server(1, 4, 8, 64)) {
            JsonNode tooLong = live.postJson("/v1/completions",
                    "{\"prompt\": \"Once upon a time\", \"max_tokens\": 100}", 400);
            assertEquals("context_length_exceeded", tooLong.get("error").get("code").asText(), tooLong.toString());
            assertEquals("prompt", tooLong.get("error").get("param").asText(), tooLong.toString());

            String longPrompt = "Once upon a time there was a girl. ".repeat(20);
            JsonNode promptTooLong = live.postJson("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"" + longPrompt + "\"}]}", 400);
            assertEquals("context_length_exceeded", promptTooLong.get("error").get("code").asText());
            assertEquals("messages", promptTooLong.get("error").get("param").asText());
        }
    }

    @Test
    void engineRefusalsBecomeTypedBackendErrorsNamingTheField() {
        try (LiveServer live = server(1, 4, 8, 64)) {
            int[] prompt = live.backend.tokenize("Once upon a time", true, false);
            SamplingParams greedy = new SamplingParams(0, 1, 0, 0, 1, 1, 0, 0, Map.of(), OptionalLong.empty());
            GenerationSpec tooMany = new GenerationSpec(prompt, greedy, List.of(), new int[0], 200, 0, false, -1, false);
            BackendException e = assertThrows(BackendException.class, () -> live.backend.submit(tooMany, event -> {
            }));
            assertEquals(BackendException.Kind.CONTEXT_LENGTH_EXCEEDED, e.kind(), e.getMessage());
            assertEquals("max_tokens", e.param());

            GenerationSpec badBias = new GenerationSpec(prompt, new SamplingParams(0, 1, 0, 0, 1, 1, 0, 0,
                    Map.of(100_000, 5.0), OptionalLong.empty()), List.of(), new int[0], 4, 0, false, -1, false);
            BackendException bias = assertThrows(BackendException.class, () -> live.backend.submit(badBias, event -> {
            }));
            assertEquals(BackendException.Kind.INVALID_REQUEST, bias.kind(), bias.getMessage());
            assertEquals(0, live.awaitEngine(s -> s.kvBlocksUsed() == 0).kvBlocksUsed(), "refusals hold no blocks");
        }
    }
}
