package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.ModelFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The parts of {@code tokenizer_config.json} (transformers' tokenizer settings) that change how text is
 * tokenized or generated: the named special tokens, whether BOS/EOS are added, and the chat template.
 *
 * @param bosToken     text of the BOS token, or null
 * @param eosToken     text of the EOS token, or null
 * @param padToken     text of the padding token, or null
 * @param addBos       {@code add_bos_token}, or null when the file does not say
 * @param addEos       {@code add_eos_token}, or null when the file does not say
 * @param chatTemplate the Jinja chat template, or null
 */
record TokenizerConfig(String bosToken, String eosToken, String padToken, Boolean addBos, Boolean addEos,
                       String chatTemplate) {
    static final TokenizerConfig ABSENT = new TokenizerConfig(null, null, null, null, null, null);

    static TokenizerConfig read(Path file, ObjectMapper json) {
        JsonNode root;
        try {
            root = json.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(file, -1, "cannot read tokenizer_config.json: " + e.getMessage(), e);
        }
        JsonSource src = new JsonSource(file);
        if (root == null || !root.isObject()) {
            throw src.error("$", "expected a JSON object");
        }
        return new TokenizerConfig(tokenText(root, "bos_token", src), tokenText(root, "eos_token", src),
                tokenText(root, "pad_token", src), flag(root, "add_bos_token", src), flag(root, "add_eos_token", src),
                chatTemplate(root, src).orElse(null));
    }

    /** A special token written as a string or as an AddedToken object with a {@code content}. */
    private static String tokenText(JsonNode root, String field, JsonSource src) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isObject()) {
            return src.requireText(v, "content", field);
        }
        throw src.error(field, "expected a string or {\"content\": ...}, found " + v);
    }

    private static Boolean flag(JsonNode root, String field, JsonSource src) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return src.bool(root, field, false, "$");
    }

    /** A single template, or from a list of named templates the one called "default" (else the first). */
    private static Optional<String> chatTemplate(JsonNode root, JsonSource src) {
        JsonNode v = root.get("chat_template");
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (v.isTextual()) {
            return Optional.of(v.asText());
        }
        if (v.isArray()) {
            JsonNode chosen = null;
            for (JsonNode t : v) {
                if (chosen == null || "default".equals(t.path("name").asText())) {
                    chosen = t;
                }
            }
            if (chosen == null) {
                return Optional.empty();
            }
            return Optional.of(src.requireText(chosen, "template", "chat_template[]"));
        }
        throw src.error("chat_template", "expected a string or a list of {name, template}, found " + v);
    }
}
