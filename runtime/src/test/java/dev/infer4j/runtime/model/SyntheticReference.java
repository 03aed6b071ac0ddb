package dev.infer4j.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.testdata.SharedData;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** llama.cpp's reference outputs for one synthetic model file ({@code models/synthetic/refs/NAME.json}). */
record SyntheticReference(String model, List<Prompt> prompts) {

    /**
     * What llama.cpp computed for a prompt with one KV cache type.
     *
     * @param values    raw logits at the last prompt position, or their log-softmax when {@code logprobs}
     * @param logprobs  whether {@code values} are log-probabilities (the new build's server cannot return logits)
     * @param greedy    the 24 greedy tokens
     * @param margins   top-1 minus top-2 at each greedy step
     */
    record Expected(float[] values, boolean logprobs, int[] greedy, float[] margins) {
    }

    /** One prompt: its tokens and llama.cpp's results with an F16 and (F32 files only) an F32 KV cache. */
    record Prompt(String text, int[] tokens, Expected f16Kv, Expected f32Kv) {
    }

    static Path modelFile(String name) {
        return SharedData.file("models/synthetic/" + name + ".gguf");
    }

    static SyntheticReference load(String name) throws IOException {
        JsonNode root = new ObjectMapper().readTree(SharedData.file("models/synthetic/refs/" + name + ".json").toFile());
        List<Prompt> prompts = new ArrayList<>();
        for (JsonNode p : root.get("prompts")) {
            JsonNode kv = p.get("kv_f32");
            prompts.add(new Prompt(p.get("text").asText(), ints(p.get("tokens")), expected(p),
                    kv == null ? null : expected(kv)));
        }
        return new SyntheticReference(root.get("model").asText(), prompts);
    }

    private static Expected expected(JsonNode node) {
        JsonNode logits = node.get("last_logits");
        boolean logprobs = logits == null || logits.isNull();
        return new Expected(floats(logprobs ? node.get("last_logprobs") : logits), logprobs, ints(node.get("greedy")),
                floats(node.get("greedy_margins")));
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** Floats as llama.cpp wrote them (shortest round-trip decimal of the float32). */
    static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Double.parseDouble(array.get(i).asText());
        }
        return out;
    }
}
