package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** A model's {@code vocab} object: token text to id and back. Ids need not be dense; gaps have no text. */
final class Vocabulary {
    private final Map<String, Integer> ids;
    private final String[] texts;

    private Vocabulary(Map<String, Integer> ids, String[] texts) {
        this.ids = ids;
        this.texts = texts;
    }

    static Vocabulary fromJson(JsonNode vocab, JsonSource src, String at) {
        if (vocab == null || !vocab.isObject()) {
            throw src.error(at, "expected the vocab object {\"token\": id, ...}");
        }
        Map<String, Integer> ids = HashMap.newHashMap(vocab.size());
        int max = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (!v.canConvertToInt() || v.asInt() < 0) {
                throw src.error(at + "[\"" + e.getKey() + "\"]", "expected a non-negative id, found " + v);
            }
            ids.put(e.getKey(), v.asInt());
            max = Math.max(max, v.asInt());
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
