package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code model} object of a {@code tokenizer.json}, read by streaming: its {@code vocab} and {@code merges}
 * (100k+ entries each for modern vocabularies) go straight into their final form instead of through a JSON
 * tree; every other field is kept as a tree in {@link #settings}.
 *
 * @param settings    the small fields ({@code type}, {@code unk_token}, {@code byte_fallback}, ...)
 * @param vocab       the {@code vocab} object, or null when absent or not an object
 * @param mergeLefts  left halves of {@code merges} in rank order, or null when absent
 * @param mergeRights right halves, parallel to {@code mergeLefts}
 */
record ModelJson(ObjectNode settings, Vocabulary vocab, List<String> mergeLefts, List<String> mergeRights) {

    /** Reads the object whose START_OBJECT is the parser's current token. */
    static ModelJson read(JsonParser p, JsonSource src) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw src.error("model", "expected an object, found " + p.currentToken());
        }
        ObjectNode settings = JsonNodeFactory.instance.objectNode();
        Vocabulary vocab = null;
        List<String> lefts = null;
        List<String> rights = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("vocab") && value == JsonToken.START_OBJECT) {
                vocab = Vocabulary.read(p, src, "model.vocab");
            } else if (field.equals("merges") && value == JsonToken.START_ARRAY) {
                lefts = new ArrayList<>();
                rights = new ArrayList<>();
                readMerges(p, src, lefts, rights);
            } else {
                JsonNode tree = p.readValueAsTree();
                settings.set(field, tree);
            }
        }
        return new ModelJson(settings, vocab, lefts, rights);
    }

    /** Merges are {@code "left right"} strings (split at the first space) or {@code [left, right]} pairs. */
    private static void readMerges(JsonParser p, JsonSource src, List<String> lefts, List<String> rights)
            throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            String at = "model.merges[" + lefts.size() + "]";
            if (t == JsonToken.VALUE_STRING) {
                String line = p.getText();
                int space = line.indexOf(' ');
                if (space < 0) {
                    throw src.error(at, "expected \"left right\", found \"" + line + "\"");
                }
                lefts.add(line.substring(0, space));
                rights.add(line.substring(space + 1));
            } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
                String left = p.getText();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw src.error(at, "expected [left, right] with two strings");
                }
                String right = p.getText();
                if (p.nextToken() != JsonToken.END_ARRAY) {
                    throw src.error(at, "expected [left, right] with two strings");
                }
                lefts.add(left);
                rights.add(right);
            } else {
                throw src.error(at, "expected \"left right\" or [left, right], found " + t);
            }
        }
    }
}
