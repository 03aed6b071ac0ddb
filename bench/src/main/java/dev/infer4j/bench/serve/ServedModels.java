package dev.infer4j.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Asks an OpenAI-compatible endpoint which model it serves ({@code GET /models}), so a benchmark needs no
 * {@code --model} against a server with one model, as llama.cpp's server, vLLM and infer4j usually are.
 */
public final class ServedModels {

    private ServedModels() {
    }

    /**
     * The id of the first model {@code baseUrl/models} lists.
     *
     * @param apiKey bearer token, or null
     * @throws IOException if the endpoint does not answer with a model list
     */
    public static String firstId(URI baseUrl, String apiKey) throws IOException, InterruptedException {
        URI models = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/models");
        HttpRequest.Builder request = HttpRequest.newBuilder(models).timeout(Duration.ofSeconds(30)).GET();
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response = StreamingClient.newHttpClient(Duration.ofSeconds(10))
                .send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + models + " answered HTTP " + response.statusCode()
                    + "; pass --model to name the model");
        }
        JsonNode data = new ObjectMapper().readTree(response.body()).path("data");
        if (!data.isArray() || data.isEmpty() || !data.get(0).path("id").isTextual()) {
            throw new IOException("GET " + models + " listed no model; pass --model to name one");
        }
        return data.get(0).get("id").asText();
    }
}
