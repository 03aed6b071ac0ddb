package dev.infer4j.formats.synth;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufValue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} and {@code tokenizer_config.json} for a GGUF SentencePiece vocabulary
 * ({@code tokenizer.ggml.model = llama}), laid out as Llama 2's own files are: a byte-fallback BPE model whose
 * merges are derived from the pieces' scores, a {@code Prepend("▁")}/{@code Replace(" ", "▁")} normalizer, a
 * template post-processor adding BOS, and the matching decoder.
 *
 * <p>The merges follow Hugging Face's SentencePiece converter: every way of splitting a normal piece into two
 * normal pieces is a merge, ranked by the merged piece's score (highest first), then by the merged piece's id,
 * then by the halves' ids. Unknown, control and user-defined pieces become added tokens; byte pieces
 * ({@code <0x00>} ...) stay in the vocabulary for byte fallback.
 */
public final class SentencePieceTokenizerJson {
    /** The SentencePiece word-boundary mark. */
    private static final String SPACE_MARK = "\u2581";
    private static final int NORMAL = 1;
    private static final int UNKNOWN = 2;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final String PREFIX = "tokenizer.ggml.";

    private final String[] tokens;
    private final float[] scores;
    private final int[] types;
    private final int bos;
    private final int eos;
    private final int unknown;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;

    private SentencePieceTokenizerJson(String[] tokens, float[] scores, int[] types, int bos, int eos, int unknown,
                                       boolean addBos, boolean addEos, boolean addSpacePrefix) {
        this.tokens = tokens;
        this.scores = scores;
        this.types = types;
        this.bos = bos;
        this.eos = eos;
        this.unknown = unknown;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSpacePrefix = addSpacePrefix;
    }

    /**
     * Reads the vocabulary of {@code vocab} (its {@code tokenizer.ggml.*} keys; tensors are ignored).
     *
     * @throws ModelFormatException if the tokenizer is not SentencePiece ({@code llama}), or the token list,
     *                              scores or types are missing or of different lengths
     */
    public static SentencePieceTokenizerJson from(GgufFile vocab) {
        String model = vocab.getString(PREFIX + "model");
        if (!model.equals("llama")) {
            throw new ModelFormatException(vocab.path(), -1, PREFIX + "model is '" + model
                    + "'; only SentencePiece vocabularies (llama) can be written as a tokenizer.json here");
        }
        String[] tokens = vocab.require(PREFIX + "tokens").asStringArray();
        float[] scores = vocab.require(PREFIX + "scores").asFloatArray();
        int[] types = vocab.require(PREFIX + "token_type").asIntArray();
        if (scores.length != tokens.length || types.length != tokens.length) {
            throw new ModelFormatException(vocab.path(), -1, tokens.length + " tokens but " + scores.length
                    + " scores and " + types.length + " token types");
        }
        int bos = id(vocab, "bos_token_id", 1, tokens.length);
        int eos = id(vocab, "eos_token_id", 2, tokens.length);
        int unknown = id(vocab, "unknown_token_id", 0, tokens.length);
        return new SentencePieceTokenizerJson(tokens, scores, types, bos, eos, unknown,
                vocab.getBoolean(PREFIX + "add_bos_token", true), vocab.getBoolean(PREFIX + "add_eos_token", false),
                vocab.getBoolean(PREFIX + "add_space_prefix", true));
    }

    private static int id(GgufFile vocab, String key, int fallback, int size) {
        int id = vocab.get(PREFIX + key).map(GgufValue::asInt).orElse(fallback);
        if (id < 0 || id >= size) {
            throw new ModelFormatException(vocab.path(), -1, PREFIX + key + " = " + id + " is not a token id (0 to "
                    + (size - 1) + ")");
        }
        return id;
    }

    /** Tokens in the vocabulary. */
    public int size() {
        return tokens.length;
    }

    /** The beginning-of-sequence token id. */
    public int bosId() {
        return bos;
    }

    /** The end-of-sequence token id. */
    public int eosId() {
        return eos;
    }

    /** A merge of two normal pieces into a third, with the merged piece's score. */
    private record Merge(int left, int right, int merged, float score) {
    }

    /** The merges in rank order. */
    List<int[]> merges() {
        Map<String, Integer> normal = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            if (types[id] == NORMAL) {
                normal.putIfAbsent(tokens[id], id);
            }
        }
        List<Merge> merges = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            if (types[id] != NORMAL) {
                continue;
            }
            String piece = tokens[id];
            for (int at = piece.offsetByCodePoints(0, 1); at < piece.length(); at = piece.offsetByCodePoints(at, 1)) {
                Integer left = normal.get(piece.substring(0, at));
                Integer right = normal.get(piece.substring(at));
                if (left != null && right != null) {
                    merges.add(new Merge(left, right, id, scores[id]));
                }
            }
        }
        merges.sort(Comparator.comparingDouble((Merge m) -> -m.score()).thenComparingInt(Merge::merged)
                .thenComparingInt(Merge::left).thenComparingInt(Merge::right));
        return merges.stream().map(m -> new int[]{m.left(), m.right()}).toList();
    }

    /** Writes {@code tokenizer.json}. */
    public void writeTokenizerJson(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (JsonGenerator g = json.getFactory().createGenerator(file.toFile(), JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("version", "1.0");
            g.writeNullField("truncation");
            g.writeNullField("padding");
            g.writeArrayFieldStart("added_tokens");
            for (int id = 0; id < tokens.length; id++) {
                if (isAdded(id)) {
                    boolean special = types[id] != USER_DEFINED;
                    g.writeStartObject();
                    g.writeNumberField("id", id);
                    g.writeStringField("content", tokens[id]);
                    g.writeBooleanField("single_word", false);
                    g.writeBooleanField("lstrip", false);
                    g.writeBooleanField("rstrip", false);
                    g.writeBooleanField("normalized", false);
                    g.writeBooleanField("special", special);
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            writeNormalizer(g);
            g.writeNullField("pre_tokenizer");
            writePostProcessor(g);
            writeDecoder(g);
            writeModel(g);
            g.writeEndObject();
        }
    }

    private boolean isAdded(int id) {
        return types[id] == UNKNOWN || types[id] == CONTROL || types[id] == USER_DEFINED;
    }

    private void writeNormalizer(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("normalizer");
        g.writeStringField("type", "Sequence");
        g.writeArrayFieldStart("normalizers");
        if (addSpacePrefix) {
            g.writeStartObject();
            g.writeStringField("type", "Prepend");
            g.writeStringField("prepend", SPACE_MARK);
            g.writeEndObject();
        }
        writeReplace(g, " ", SPACE_MARK);
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeReplace(JsonGenerator g, String pattern, String content) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "Replace");
        g.writeObjectFieldStart("pattern");
        g.writeStringField("String", pattern);
        g.writeEndObject();
        g.writeStringField("content", content);
        g.writeEndObject();
    }

    private void writePostProcessor(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("post_processor");
        g.writeStringField("type", "TemplateProcessing");
        g.writeArrayFieldStart("single");
        writeTemplate(g, "A", 0);
        g.writeEndArray();
        g.writeArrayFieldStart("pair");
        writeTemplate(g, "A", 0);
        writeTemplate(g, "B", 1);
        g.writeEndArray();
        g.writeObjectFieldStart("special_tokens");
        for (int id : new int[]{bos, eos}) {
            if ((id == bos && addBos) || (id == eos && addEos)) {
                g.writeObjectFieldStart(tokens[id]);
                g.writeStringField("id", tokens[id]);
                g.writeArrayFieldStart("ids");
                g.writeNumber(id);
                g.writeEndArray();
                g.writeArrayFieldStart("tokens");
                g.writeString(tokens[id]);
                g.writeEndArray();
                g.writeEndObject();
            }
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private void writeTemplate(JsonGenerator g, String sequence, int typeId) throws IOException {
        if (addBos) {
            writeSpecialToken(g, tokens[bos], typeId);
        }
        g.writeStartObject();
        g.writeObjectFieldStart("Sequence");
        g.writeStringField("id", sequence);
        g.writeNumberField("type_id", typeId);
        g.writeEndObject();
        g.writeEndObject();
        if (addEos) {
            writeSpecialToken(g, tokens[eos], typeId);
        }
    }

    private static void writeSpecialToken(JsonGenerator g, String token, int typeId) throws IOException {
        g.writeStartObject();
        g.writeObjectFieldStart("SpecialToken");
        g.writeStringField("id", token);
        g.writeNumberField("type_id", typeId);
        g.writeEndObject();
        g.writeEndObject();
    }

    private void writeDecoder(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("decoder");
        g.writeStringField("type", "Sequence");
        g.writeArrayFieldStart("decoders");
        writeReplace(g, SPACE_MARK, " ");
        g.writeStartObject();
        g.writeStringField("type", "ByteFallback");
        g.writeEndObject();
        g.writeStartObject();
        g.writeStringField("type", "Fuse");
        g.writeEndObject();
        if (addSpacePrefix) {
            g.writeStartObject();
            g.writeStringField("type", "Strip");
            g.writeStringField("content", " ");
            g.writeNumberField("start", 1);
            g.writeNumberField("stop", 0);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private void writeModel(JsonGenerator g) throws IOException {
        g.writeObjectFieldStart("model");
        g.writeStringField("type", "BPE");
        g.writeNullField("dropout");
        g.writeStringField("unk_token", tokens[unknown]);
        g.writeNullField("continuing_subword_prefix");
        g.writeNullField("end_of_word_suffix");
        g.writeBooleanField("fuse_unk", true);
        g.writeBooleanField("byte_fallback", true);
        g.writeBooleanField("ignore_merges", false);
        g.writeObjectFieldStart("vocab");
        Map<String, Integer> written = new HashMap<>();
        for (int id = 0; id < tokens.length; id++) {
            // a repeated piece keeps its first id, as SentencePiece's own lookup does
            if (written.putIfAbsent(tokens[id], id) == null) {
                g.writeNumberField(tokens[id], id);
            }
        }
        g.writeEndObject();
        g.writeArrayFieldStart("merges");
        for (int[] m : merges()) {
            g.writeStartArray();
            g.writeString(tokens[m[0]]);
            g.writeString(tokens[m[1]]);
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * Writes {@code tokenizer_config.json}: the special tokens, whether BOS/EOS are added, and
     * {@code model_max_length}.
     */
    public void writeTokenizerConfig(Path file, int modelMaxLength) throws IOException {
        ObjectMapper json = new ObjectMapper();
        var root = json.createObjectNode();
        root.put("add_bos_token", addBos);
        root.put("add_eos_token", addEos);
        var decoder = root.putObject("added_tokens_decoder");
        for (int id = 0; id < tokens.length; id++) {
            if (isAdded(id)) {
                var t = decoder.putObject(Integer.toString(id));
                t.put("content", tokens[id]);
                t.put("lstrip", false);
                t.put("normalized", false);
                t.put("rstrip", false);
                t.put("single_word", false);
                t.put("special", types[id] != USER_DEFINED);
            }
        }
        root.put("bos_token", tokens[bos]);
        root.put("eos_token", tokens[eos]);
        root.put("unk_token", tokens[unknown]);
        root.putNull("pad_token");
        root.put("clean_up_tokenization_spaces", false);
        root.put("model_max_length", modelMaxLength);
        root.put("tokenizer_class", "LlamaTokenizer");
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), root);
    }
}
