package dev.infer4j.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.runtime.engine.EngineStats;
import dev.infer4j.server.InferenceServer;
import dev.infer4j.server.ServerConfig;
import dev.infer4j.testdata.SharedData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A real model from {@code ../shared} served over loopback HTTP, and a client that speaks to it as any would. */
final class LiveServer implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final EngineBackend backend;
    final InferenceServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private LiveServer(EngineBackend backend, InferenceServer server) {
        this.backend = backend;
        this.server = server;
    }

    static LiveServer start(String modelName, LoadOptions options, ServerConfig config) {
        EngineBackend backend;
        try {
            // a bare name is a GGUF file of models/gguf; a path names anything under ../shared (e.g. a model directory)
            String relative = modelName.contains("/") ? modelName : "models/gguf/" + modelName;
            backend = BackendLoader.load(SharedData.file(relative), options.withThreads(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return new LiveServer(backend, InferenceServer.start(config, backend));
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw new IllegalStateException("cannot start the server", e);
        }
    }

    static LiveServer start(String modelName) {
        return start(modelName, LoadOptions.defaults().withParallel(2), ServerConfig.defaults(0));
    }

    int port() {
        return server.port();
    }

    HttpResponse<String> post(String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Posts and checks the status, returning the parsed body. */
    JsonNode postJson(String path, String body, int expectedStatus) {
        HttpResponse<String> r = post(path, body);
        assertEquals(expectedStatus, r.statusCode(), () -> "status of POST " + path + " " + body + ": " + r.body());
        return json(r.body());
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** The JSON chunks of an event stream that must end with {@code data: [DONE]}. */
    static List<JsonNode> sseChunks(String body) {
        List<JsonNode> chunks = new ArrayList<>();
        String[] events = body.split("\n\n");
        assertTrue(events.length > 0 && events[events.length - 1].equals("data: [DONE]"),
                () -> "stream does not end with [DONE]:\n" + body);
        for (int i = 0; i < events.length - 1; i++) {
            String e = events[i];
            if (!e.startsWith("data: ")) {
                fail("event " + i + " is not a data frame: " + e);
            }
            chunks.add(json(e.substring(6)));
        }
        return chunks;
    }

    /** Waits up to 10 s for the engine to reach a state, then returns its stats (whatever they are). */
    EngineStats awaitEngine(Predicate<EngineStats> condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        EngineStats s = backend.engine().stats();
        while (!condition.test(s) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            s = backend.engine().stats();
        }
        return s;
    }

    @Override
    public void close() {
        server.close();
        backend.close();
    }
}
