package dev.infer4j.formats.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.ModelFormatException;

import java.io.IOException;
import java.nio.file.Path;

/** Typed reads of a JSON config file's keys, failing with the file and key named. */
record HfJson(Path file, JsonNode root) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static HfJson read(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw new ModelFormatException(file, -1, "expected a JSON object");
            }
            return new HfJson(file, root);
        } catch (IOException e) {
            throw new ModelFormatException(file, -1, "cannot read JSON: " + e.getMessage(), e);
        }
    }

    HfJson child(String key) {
        JsonNode n = root.get(key);
        return n == null || n.isNull() ? null : new HfJson(file, n);
    }

    boolean has(String key) {
        JsonNode n = root.get(key);
        return n != null && !n.isNull();
    }

    int requireInt(String key) {
        JsonNode n = root.get(key);
        if (n == null || !n.canConvertToInt() || !n.isIntegralNumber()) {
            throw error(key, "an integer", n);
        }
        return n.intValue();
    }

    int intOr(String key, int fallback) {
        return has(key) ? requireInt(key) : fallback;
    }

    int positive(String key) {
        int v = requireInt(key);
        if (v <= 0) {
            throw new ModelFormatException(file, -1, "'" + key + "' must be positive, found " + v);
        }
        return v;
    }

    float floatOr(String key, float fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isNumber()) {
            throw error(key, "a number", n);
        }
        return n.floatValue();
    }

    boolean boolOr(String key, boolean fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw error(key, "true or false", n);
        }
        return n.booleanValue();
    }

    String stringOr(String key, String fallback) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isTextual()) {
            throw error(key, "a string", n);
        }
        return n.textValue();
    }

    ModelFormatException error(String key, String expected, JsonNode found) {
        return new ModelFormatException(file, -1, "'" + key + "' must be " + expected + ", found "
                + (found == null ? "nothing" : found.toString()));
    }
}
