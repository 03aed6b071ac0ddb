package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;

/**
 * What a {@code tokenizer.json} post-processor adds around a single sequence when special tokens are requested:
 * the ids before it and the ids after it. (ByteLevel's post-processor only adjusts offsets, so it adds nothing.)
 *
 * @param prefix ids placed before the sequence
 * @param suffix ids placed after it
 */
record PostProcessor(int[] prefix, int[] suffix) {
    static final PostProcessor NONE = new PostProcessor(new int[0], new int[0]);

    /** Builds the template a post-processor applies to a single sequence. */
    static PostProcessor fromJson(JsonNode node, JsonSource src, String at) {
        String type = src.type(node, at);
        return switch (type) {
            case "ByteLevel" -> NONE;
            case "TemplateProcessing" -> template(node, src, at);
            case "BertProcessing", "RobertaProcessing" ->
                    new PostProcessor(new int[] {idPair(node, "cls", src, at)}, new int[] {idPair(node, "sep", src, at)});
            case "Sequence" -> {
                JsonNode items = src.array(node, "processors", at);
                PostProcessor combined = NONE;
                for (int i = 0; i < items.size(); i++) {
                    PostProcessor p = fromJson(items.get(i), src, at + ".processors[" + i + "]");
                    combined = new PostProcessor(concat(p.prefix, combined.prefix), concat(combined.suffix, p.suffix));
                }
                yield combined;
            }
            default -> throw src.unsupported("post-processor", at, node);
        };
    }

    private static PostProcessor template(JsonNode node, JsonSource src, String at) {
        JsonNode single = src.array(node, "single", at);
        JsonNode specials = node.path("special_tokens");
        int[] before = new int[0];
        int[] after = new int[0];
        boolean seenSequence = false;
        for (int i = 0; i < single.size(); i++) {
            JsonNode item = single.get(i);
            String where = at + ".single[" + i + "]";
            if (item.has("Sequence")) {
                seenSequence = true;
                continue;
            }
            if (!item.has("SpecialToken")) {
                throw src.error(where, "expected {\"Sequence\": ...} or {\"SpecialToken\": ...}, found " + item);
            }
            String name = src.requireText(item.get("SpecialToken"), "id", where + ".SpecialToken");
            JsonNode entry = specials.get(name);
            if (entry == null) {
                throw src.error(where, "special token \"" + name + "\" is not in special_tokens");
            }
            JsonNode ids = src.array(entry, "ids", at + ".special_tokens[\"" + name + "\"]");
            int[] values = new int[ids.size()];
            for (int k = 0; k < values.length; k++) {
                values[k] = ids.get(k).asInt();
            }
            if (seenSequence) {
                after = concat(after, values);
            } else {
                before = concat(before, values);
            }
        }
        return new PostProcessor(before, after);
    }

    private static int idPair(JsonNode node, String field, JsonSource src, String at) {
        JsonNode pair = node.get(field);
        if (pair == null || !pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt()) {
            throw src.error(at + "." + field, "expected [\"token\", id], found " + pair);
        }
        return pair.get(1).asInt();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Override
    public int[] prefix() {
        return prefix.clone();
    }

    @Override
    public int[] suffix() {
        return suffix.clone();
    }
}
