package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** A model's {@code vocab} object: token text to id and back. Ids need not be dense; gaps have no text. */
final class Vocabulary {
    private final Map<String, Integer> ids;
    private final String[] texts;

    private Vocabulary(Map<String, Integer> ids, String[] texts) {
        this.ids = ids;
        this.texts = texts;
    }

    /** Reads a {@code {"token": id, ...}} object whose START_OBJECT is the parser's current token. */
    static Vocabulary read(JsonParser p, JsonSource src, String at) throws IOException {
        Map<String, Integer> ids = HashMap.newHashMap(1 << 16);
        int max = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 0) {
                throw src.error(at + "[\"" + token + "\"]", "expected a non-negative id, found " + p.getText());
            }
            int id = p.getIntValue();
            ids.put(token, id);
            max = Math.max(max, id);
        }
        String[] texts = new String[max + 1];
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            texts[e.getValue()] = e.getKey();
        }
        return new Vocabulary(ids, texts);
    }

    /** The id of {@code text}, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    /** The text of {@code id}, or null if the model has no such id. */
    String text(int id) {
        return id >= 0 && id < texts.length ? texts[id] : null;
    }

    /** One past the largest id. */
    int size() {
        return texts.length;
    }

    Map<String, Integer> ids() {
        return ids;
    }
}
