package dev.infer4j.server.engine;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.testdata.SharedData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** llama.cpp's greedy continuations from {@code reference/llama.cpp-outputs.json}. */
final class ReferenceCompletions {

    /**
     * One reference continuation.
     *
     * @param prompt       the prompt text (llama.cpp added BOS)
     * @param promptTokens the prompt's token count, BOS included
     * @param content      the continuation's text
     * @param tokens       tokens generated, an end-of-sequence token included when llama.cpp stopped on one
     * @param stoppedOnEos whether llama.cpp stopped on end of sequence rather than the token limit
     * @param top3         each of the first five steps' three most likely tokens as {@code [id, text, logprob]}
     */
    record Completion(String prompt, int promptTokens, String content, int tokens, boolean stoppedOnEos,
                      JsonNode top3) {
    }

    private ReferenceCompletions() {
    }

    static List<Completion> of(String modelName) {
        JsonNode all;
        try {
            all = LiveServer.JSON.readTree(SharedData.file("reference/llama.cpp-outputs.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode entry : all) {
            if (entry.get("model").asText().equals(modelName)) {
                List<Completion> out = new ArrayList<>();
                for (JsonNode c : entry.get("completions")) {
                    out.add(new Completion(c.get("prompt").asText(), c.get("prompt_tokens_with_bos").size(),
                            c.get("content").asText(), c.get("tokens").size(), c.get("stop_type").asText().equals("eos"),
                            c.get("top3_first_5_steps")));
                }
                return out;
            }
        }
        throw new AssertionError("no llama.cpp reference for " + modelName);
    }
}
