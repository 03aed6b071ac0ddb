package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.formats.ModelFormatException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The file a JSON component comes from, with typed field reads that fail with a {@link ModelFormatException}
 * naming the file and the JSON location ({@code pre_tokenizer.pretokenizers[1].pattern}).
 */
record JsonSource(Path file) {

    ModelFormatException error(String at, String detail) {
        return new ModelFormatException(file, -1, at + ": " + detail);
    }

    ModelFormatException unsupported(String kind, String at, JsonNode node) {
        return error(at, "unsupported " + kind + " type '" + node.path("type").asText("<missing>") + "'");
    }

    /** The {@code type} of a component object. */
    String type(JsonNode node, String at) {
        if (!node.isObject()) {
            throw error(at, "expected an object, found " + node.getNodeType());
        }
        return requireText(node, "type", at);
    }

    String requireText(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw error(at + "." + field, "expected a string, found " + describe(v));
        }
        return v.asText();
    }

    /** A string field that may be absent or null. */
    String optionalText(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw error(at + "." + field, "expected a string or null, found " + describe(v));
        }
        return v.asText();
    }

    boolean bool(JsonNode node, String field, boolean absent, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.isBoolean()) {
            throw error(at + "." + field, "expected a boolean, found " + describe(v));
        }
        return v.asBoolean();
    }

    int integer(JsonNode node, String field, int absent, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return absent;
        }
        if (!v.canConvertToInt()) {
            throw error(at + "." + field, "expected an integer, found " + describe(v));
        }
        return v.asInt();
    }

    /** A non-null array field. */
    JsonNode array(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || !v.isArray()) {
            throw error(at + "." + field, "expected an array, found " + describe(v));
        }
        return v;
    }

    /** A single code point held in a string field (Metaspace's {@code replacement}). */
    int codePoint(JsonNode node, String field, String at) {
        String s = requireText(node, field, at);
        if (s.isEmpty() || s.codePointCount(0, s.length()) != 1) {
            throw error(at + "." + field, "expected one character, found \"" + s + "\"");
        }
        return s.codePointAt(0);
    }

    /**
     * A {@code {"String": ...}} or {@code {"Regex": ...}} pattern object as a Java pattern; a string is matched
     * literally.
     */
    Pattern pattern(JsonNode node, String field, String at) {
        JsonNode p = node.get(field);
        String where = at + "." + field;
        if (p == null || !p.isObject()) {
            throw error(where, "expected {\"String\": ...} or {\"Regex\": ...}, found " + describe(p));
        }
        if (p.has("String")) {
            return OnigurumaPattern.literal(requireText(p, "String", where));
        }
        String regex = requireText(p, "Regex", where);
        try {
            return OnigurumaPattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ModelFormatException(file, -1, where + ": regex /" + regex + "/ has no Java equivalent: "
                    + e.getDescription(), e);
        }
    }

    private static String describe(JsonNode v) {
        return v == null ? "nothing" : v.getNodeType() + " " + abbreviate(v.toString());
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
