package dev.infer4j.formats.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.formats.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code generation_config.json}: the special tokens generation uses and the model's default sampling settings.
 * Absent keys are absent here too (null / empty), so a caller can fall back to its own defaults.
 *
 * @param bosTokenId        {@code bos_token_id}, or null
 * @param eosTokenIds       {@code eos_token_id} (a number or a list), empty when absent
 * @param padTokenId        {@code pad_token_id}, or null
 * @param doSample          {@code do_sample}, or null
 * @param temperature       {@code temperature}, or null
 * @param topK              {@code top_k}, or null
 * @param topP              {@code top_p}, or null
 * @param repetitionPenalty {@code repetition_penalty}, or null
 * @param maxNewTokens      {@code max_new_tokens}, or null
 */
public record HfGenerationConfig(Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId, Boolean doSample,
                                 Float temperature, Integer topK, Float topP, Float repetitionPenalty,
                                 Integer maxNewTokens) {

    /** The file name in a model directory. */
    public static final String FILE = "generation_config.json";

    /** Copies the list. */
    public HfGenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** A config with nothing set. */
    public static HfGenerationConfig empty() {
        return new HfGenerationConfig(null, List.of(), null, null, null, null, null, null, null);
    }

    /**
     * Reads {@code directory/generation_config.json}, or returns {@link #empty()} when there is none.
     *
     * @throws ModelFormatException if the file is malformed
     */
    public static HfGenerationConfig read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return empty();
        }
        HfJson g = HfJson.read(file);
        List<Integer> eos = new ArrayList<>();
        JsonNode e = g.root().get("eos_token_id");
        if (e != null && e.isArray()) {
            for (JsonNode id : e) {
                if (!id.isIntegralNumber()) {
                    throw g.error("eos_token_id", "an integer or a list of integers", e);
                }
                eos.add(id.intValue());
            }
        } else if (e != null && !e.isNull()) {
            eos.add(g.requireInt("eos_token_id"));
        }
        return new HfGenerationConfig(optionalInt(g, "bos_token_id"), eos, optionalInt(g, "pad_token_id"),
                g.has("do_sample") ? g.boolOr("do_sample", false) : null,
                g.has("temperature") ? g.floatOr("temperature", 1f) : null, optionalInt(g, "top_k"),
                g.has("top_p") ? g.floatOr("top_p", 1f) : null,
                g.has("repetition_penalty") ? g.floatOr("repetition_penalty", 1f) : null,
                optionalInt(g, "max_new_tokens"));
    }

    private static Integer optionalInt(HfJson g, String key) {
        return g.has(key) ? g.requireInt(key) : null;
    }
}
