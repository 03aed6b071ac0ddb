package dev.infer4j.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.server.fake.ScriptedBackend;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A server on an ephemeral loopback port over a {@link ScriptedBackend}, and a client speaking to it over HTTP. */
final class TestServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final ScriptedBackend backend;
    final InferenceServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiKey;

    TestServer(ServerConfig config, int contextLength) {
        this.backend = new ScriptedBackend(contextLength);
        this.apiKey = config.apiKey();
        try {
            this.server = InferenceServer.start(config, backend);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TestServer start() {
        return new TestServer(ServerConfig.defaults(0), 256);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10));
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return b;
    }

    HttpResponse<String> post(String path, String body) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** Posts and checks the status, returning the parsed body. */
    JsonNode postJson(String path, String body, int expectedStatus) {
        HttpResponse<String> r = post(path, body);
        assertEquals(expectedStatus, r.statusCode(), () -> "status of POST " + path + ", body " + r.body());
        return json(r.body());
    }

    /**
     * Splits an event-stream body into its data payloads, failing unless the body is exactly a sequence of
     * {@code data: <payload>\n\n} frames ending with {@code data: [DONE]}.
     */
    static List<String> sseData(String body) {
        List<String> data = new ArrayList<>();
        int at = 0;
        while (at < body.length()) {
            if (!body.startsWith("data: ", at)) {
                fail("expected 'data: ' at offset " + at + " of stream:\n" + body);
            }
            int end = body.indexOf("\n\n", at);
            if (end < 0) {
                fail("unterminated event at offset " + at + " of stream:\n" + body);
            }
            String payload = body.substring(at + 6, end);
            assertTrue(payload.indexOf('\n') < 0, () -> "event payload spans lines: " + payload);
            data.add(payload);
            at = end + 2;
        }
        assertTrue(!data.isEmpty() && data.getLast().equals("[DONE]"), () -> "stream does not end with [DONE]:\n"
                + body);
        return data;
    }

    /** The JSON chunks of a stream, [DONE] excluded. */
    static List<JsonNode> sseChunks(String body) {
        List<String> data = sseData(body);
        return data.subList(0, data.size() - 1).stream().map(TestServer::json).toList();
    }

    @Override
    public void close() {
        server.close();
        backend.close();
    }
}
