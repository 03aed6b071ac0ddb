package dev.infer4j.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * Sends one streaming completion request and times its server-sent events. Blocking by design: the load
 * generator runs each request on its own virtual thread.
 */
final class StreamingClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final LoadConfig config;
    private final URI endpoint;

    StreamingClient(HttpClient http, LoadConfig config) {
        this.http = http;
        this.config = config;
        String base = config.baseUrl().toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base + (config.chat() ? "/chat/completions" : "/completions"));
    }

    String requestBody(String prompt) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", config.model());
        if (config.chat()) {
            body.putArray("messages").addObject().put("role", "user").put("content", prompt);
        } else {
            body.put("prompt", prompt);
        }
        body.put("max_tokens", config.outputTokens());
        body.put("temperature", 0);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        // An extension llama.cpp, vLLM and infer4j share: every request generates exactly max_tokens.
        body.put("ignore_eos", true);
        return body.toString();
    }

    RequestResult send(String prompt) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(requestBody(prompt)));
        if (config.apiKey() != null) {
            request.header("Authorization", "Bearer " + config.apiKey());
        }
        long start = System.nanoTime();
        try {
            HttpResponse<Stream<String>> response = http.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = response.body()) {
                if (response.statusCode() != 200) {
                    return RequestResult.failed("HTTP " + response.statusCode() + ": "
                            + String.join(" ", lines.limit(5).toList()), System.nanoTime() - start);
                }
                return readEvents(lines.iterator(), start);
            }
        } catch (IOException e) {
            String why = e.getMessage() == null ? "cannot reach " + endpoint : e.getMessage();
            return RequestResult.failed(e.getClass().getSimpleName() + ": " + why, System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RequestResult.failed("interrupted", System.nanoTime() - start);
        }
    }

    private RequestResult readEvents(Iterator<String> lines, long start) throws IOException {
        long first = -1;
        long previous = -1;
        long[] gaps = new long[Math.max(16, config.outputTokens())];
        int gapCount = 0;
        int chunks = 0;
        int promptTokens = -1;
        int completionTokens = -1;
        int cached = -1;
        boolean done = false;
        while (lines.hasNext()) {
            String line = lines.next();
            if (!line.startsWith("data:")) {
                continue;
            }
            String data = line.substring(5).trim();
            if (data.equals("[DONE]")) {
                done = true;
                break;
            }
            long now = System.nanoTime();
            JsonNode event = JSON.readTree(data);
            if (event.has("error")) {
                return RequestResult.failed("stream error: " + event.get("error"), now - start);
            }
            JsonNode usage = event.get("usage");
            if (usage != null && usage.isObject()) {
                promptTokens = usage.path("prompt_tokens").asInt(-1);
                completionTokens = usage.path("completion_tokens").asInt(-1);
                cached = usage.path("prompt_tokens_details").path("cached_tokens").asInt(-1);
            }
            if (hasContent(event)) {
                if (first < 0) {
                    first = now;
                } else {
                    if (gapCount == gaps.length) {
                        gaps = java.util.Arrays.copyOf(gaps, gaps.length * 2);
                    }
                    gaps[gapCount++] = now - previous;
                }
                previous = now;
                chunks++;
            }
        }
        long end = System.nanoTime();
        if (!done) {
            return RequestResult.failed("stream ended without [DONE]", end - start);
        }
        if (first < 0) {
            return RequestResult.failed("stream carried no content", end - start);
        }
        int outputTokens = completionTokens > 0 ? completionTokens : chunks;
        return new RequestResult(true, null, promptTokens, outputTokens, first - start, end - start,
                java.util.Arrays.copyOf(gaps, gapCount), cached);
    }

    private boolean hasContent(JsonNode event) {
        JsonNode choices = event.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            return false;
        }
        JsonNode choice = choices.get(0);
        String text = config.chat() ? choice.path("delta").path("content").asText("") : choice.path("text").asText("");
        return !text.isEmpty();
    }

    static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(connectTimeout).build();
    }
}
