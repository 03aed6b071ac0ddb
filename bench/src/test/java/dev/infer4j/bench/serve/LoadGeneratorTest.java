package dev.infer4j.bench.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives the load generator against a scripted OpenAI-style SSE server on the loopback interface. */
class LoadGeneratorTest {
    private HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    private URI start(int status, int tokens, long gapMillis) throws IOException {
        // Without TCP_NODELAY the JDK server's small SSE writes wait for delayed ACKs and arrive in bursts.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/chat/completions", exchange -> respond(exchange, status, tokens, gapMillis));
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    private void respond(HttpExchange exchange, int status, int tokens, long gapMillis) throws IOException {
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (exchange) {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (status != 200) {
                byte[] err = "{\"error\":{\"message\":\"boom\"}}".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(status, err.length);
                exchange.getResponseBody().write(err);
                return;
            }
            // One connection per request: a kept-alive connection that the JDK server closes just as the client
            // reuses it fails the next request with "header parser received no bytes", a race of the mock, not of
            // the generator under test
            exchange.getResponseHeaders().add("Connection", "close");
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            send(out, "{\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"}}]}");
            for (int i = 0; i < tokens; i++) {
                sleep(gapMillis);
                send(out, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"tok" + i + " \"}}]}");
            }
            send(out, "{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}");
            send(out, "{\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":" + tokens
                    + ",\"prompt_tokens_details\":{\"cached_tokens\":4}}}");
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private static void send(OutputStream out, String json) throws IOException {
        out.write(("data: " + json + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static LoadConfig config(URI base, int prompts, int concurrency, int outputTokens) {
        return new LoadConfig(base, "test-model", null, true, prompts, concurrency, 0, 16, 4, outputTokens, 0, null, 7,
                Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(20));
    }

    @Test
    void timesEveryStreamedTokenAndSumsUsage() throws Exception {
        URI base = start(200, 5, 5);
        BenchmarkReport report = new LoadGenerator(config(base, 6, 2, 5)).run();
        assertEquals(6, report.completed(), report.toTable());
        assertEquals(0, report.failed());
        assertEquals(30, report.outputTokens());
        assertEquals(72, report.promptTokens());
        assertEquals(24, report.cachedTokens());
        assertEquals(6, report.latencies().get("ttft").count());
        assertEquals(6 * 4, report.latencies().get("itl").count(), "four gaps between five tokens per request");
        assertTrue(report.latencies().get("itl").p50() >= 4.0, "gaps of ~5 ms: " + report.toTable());
        assertTrue(report.latencies().get("e2e").p50() >= 20.0, report.toTable());
        assertEquals(6, report.goodRequests());
        assertTrue(maxInFlight.get() <= 2, "concurrency limit held: " + maxInFlight.get());
        assertTrue(report.toJson().contains("\"output_throughput\""), report.toJson());
    }

    @Test
    void asksForExactlyMaxTokensWithUsageAndNoEarlyStop() throws Exception {
        URI base = start(200, 3, 0);
        new LoadGenerator(config(base, 1, 1, 3)).run();
        String body = bodies.getFirst();
        assertTrue(body.contains("\"max_tokens\":3") && body.contains("\"ignore_eos\":true")
                && body.contains("\"include_usage\":true") && body.contains("\"stream\":true"), body);
    }

    @Test
    void aSharedPrefixStartsEveryPromptAndTheRestDiffers() throws Exception {
        URI base = start(200, 1, 0);
        LoadConfig c = new LoadConfig(base, "m", null, true, 4, 1, 0, 38, 0, 1, 30, null, 9, Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(20));
        new LoadGenerator(c).run();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> contents = new java.util.ArrayList<>();
        for (String b : bodies) {
            contents.add(json.readTree(b).path("messages").get(0).path("content").asText());
        }
        String prefix = contents.getFirst().substring(0, contents.getFirst().lastIndexOf(' ', 120));
        for (String p : contents) {
            assertTrue(p.startsWith(prefix), p);
        }
        assertEquals(4, contents.stream().distinct().count(), "the part after the prefix differs: " + contents);
        for (String p : contents) {
            assertEquals(38, p.split(" ").length, "the prefix counts toward the prompt length: " + p);
        }
    }

    @Test
    void countsServerErrorsAsFailuresWithTheirMessage() throws Exception {
        URI base = start(503, 0, 0);
        BenchmarkReport report = new LoadGenerator(config(base, 3, 3, 4)).run();
        assertEquals(0, report.completed());
        assertEquals(3, report.failed());
        assertTrue(report.firstError().startsWith("HTTP 503"), report.firstError());
    }

    @Test
    void poissonArrivalsSpreadRequestsOverTime() throws Exception {
        URI base = start(200, 1, 0);
        LoadConfig c = new LoadConfig(base, "m", null, true, 10, 10, 50.0, 8, 0, 1, 0, null, 3, Duration.ofSeconds(5),
                Duration.ofSeconds(1), Duration.ofSeconds(20));
        BenchmarkReport report = new LoadGenerator(c).run();
        assertEquals(10, report.completed());
        // Ten arrivals at 50/s take about 0.2 s in expectation; back to back they would take milliseconds.
        assertTrue(report.wallNanos() > 40_000_000L, "run took " + report.wallNanos() / 1e6 + " ms");
    }
}
