package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.tokenizer.SpecialTokens;
import dev.infer4j.formats.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tokenizer read from Hugging Face's {@code tokenizer.json}, giving the same ids as the {@code tokenizers}
 * library (with {@code add_special_tokens=false} unless {@code addSpecial} is asked for).
 *
 * <p>Encoding follows the library's pipeline: added tokens are cut out of the raw text (those marked
 * {@code normalized} are looked for again in the normalized text), the rest is normalized, pre-tokenized into
 * words and each word encoded by the model (BPE or WordPiece).
 *
 * <p>{@code parseSpecial} follows llama.cpp's meaning: when false, <em>special</em> added tokens written in the
 * text are tokenized as plain text (the library's {@code encode_special_tokens = true}); non-special added
 * tokens are always matched, as in the library. When true, everything is matched, as the library does by
 * default.
 *
 * <p>{@code addSpecial} adds what the post-processor adds to a single sequence (e.g. Llama's BOS from a
 * {@code TemplateProcessing}). When {@code tokenizer_config.json} sets {@code add_bos_token} or
 * {@code add_eos_token} explicitly, those flags win instead, as transformers' Llama-family tokenizers rebuild
 * the post-processor from them.
 *
 * <p>{@link #decode} runs the file's decoder over the whole sequence exactly as the library's
 * {@code decode(ids, skip_special_tokens = !renderSpecial)}; {@link #tokenBytes} gives one token's bytes as they
 * appear mid-stream (leading-space removal and other whole-sequence effects do not apply to a single token).
 * Instances are immutable and thread-safe.
 */
public final class HfTokenizer implements Tokenizer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tokens llama.cpp treats as end of turn, most specific first. */
    private static final List<String> END_OF_TURN = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    /** Further control tokens that end generation in llama.cpp. */
    private static final List<String> END_OF_GENERATION = List.of("<|eom_id|>", "<|return|>", "<|call|>");
    private static final List<String> BOS_NAMES = List.of("<|begin_of_text|>", "<s>", "<bos>", "<|startoftext|>");
    private static final List<String> EOS_NAMES = List.of("<|end_of_text|>", "</s>", "<eos>", "<|endoftext|>");

    private final TokenModel model;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Decoder decoder;
    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;
    private final Map<Integer, AddedToken> addedById;
    private final Map<String, Integer> addedIds;
    private final int vocabSize;
    private final int[] specialPrefix;
    private final int[] specialSuffix;
    private final SpecialTokens specialTokens;
    private final String chatTemplate;
    private final byte[][] pieceBytes;

    private HfTokenizer(TokenModel model, Normalizer normalizer, PreTokenizer preTokenizer, Decoder decoder,
                        List<AddedToken> added, PostProcessor postProcessor, TokenizerConfig config) {
        this.model = model;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.decoder = decoder;
        this.addedById = new HashMap<>();
        this.addedIds = new HashMap<>();
        List<AddedToken> raw = new ArrayList<>();
        List<AddedToken> norm = new ArrayList<>();
        List<String> normPatterns = new ArrayList<>();
        int size = model.vocabulary().size();
        // specials first, as the library orders its matching patterns
        for (boolean specialPass : new boolean[] {true, false}) {
            for (AddedToken t : added) {
                if (t.special() != specialPass) {
                    continue;
                }
                addedById.put(t.id(), t);
                addedIds.putIfAbsent(t.content(), t.id());
                size = Math.max(size, t.id() + 1);
                if (t.normalized()) {
                    norm.add(t);
                    normPatterns.add(normalizer == null ? t.content() : normalizer.normalize(t.content()));
                } else {
                    raw.add(t);
                }
            }
        }
        this.vocabSize = size;
        this.rawAddedTokens = new AddedTokenMatcher(raw, raw.stream().map(AddedToken::content).toList());
        this.normalizedAddedTokens = new AddedTokenMatcher(norm, normPatterns);
        this.chatTemplate = config.chatTemplate();

        int bos = config.bosToken() == null ? -1 : tokenId(config.bosToken());
        int eos = config.eosToken() == null ? -1 : tokenId(config.eosToken());
        if (config.addBos() != null || config.addEos() != null) {
            boolean addBos = Boolean.TRUE.equals(config.addBos()) && bos >= 0;
            boolean addEos = Boolean.TRUE.equals(config.addEos()) && eos >= 0;
            this.specialPrefix = addBos ? new int[] {bos} : new int[0];
            this.specialSuffix = addEos ? new int[] {eos} : new int[0];
        } else {
            this.specialPrefix = postProcessor.prefix();
            this.specialSuffix = postProcessor.suffix();
        }
        if (bos < 0) {
            bos = specialPrefix.length == 1 ? specialPrefix[0] : firstSpecial(BOS_NAMES);
        }
        if (eos < 0) {
            eos = specialSuffix.length == 1 ? specialSuffix[0] : firstSpecial(EOS_NAMES);
        }
        this.specialTokens = specialTokens(bos, eos, config);
        this.pieceBytes = new byte[size][];
        for (int id = 0; id < size; id++) {
            String text = text(id);
            byte[] utf8 = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
            pieceBytes[id] = decoder == null ? utf8 : decoder.decodePiece(utf8);
        }
    }

    /**
     * Reads a tokenizer.
     *
     * @param tokenizerJson             the {@code tokenizer.json}
     * @param tokenizerConfigJsonOrNull the {@code tokenizer_config.json} beside it, or null: it names BOS/EOS/padding,
     *                                  may set {@code add_bos_token}/{@code add_eos_token}, and holds the chat template
     * @throws ModelFormatException if a file cannot be read, is malformed, or uses a component this loader does
     *                              not implement (the message names the component type and its JSON location)
     */
    public static HfTokenizer load(Path tokenizerJson, Path tokenizerConfigJsonOrNull) {
        JsonNode root;
        try {
            root = JSON.readTree(tokenizerJson.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(tokenizerJson, -1, "cannot read tokenizer.json: " + e.getMessage(), e);
        }
        JsonSource src = new JsonSource(tokenizerJson);
        if (root == null || !root.isObject()) {
            throw src.error("$", "expected a JSON object");
        }
        TokenModel model = TokenModel.fromJson(root.path("model"), src, "model");
        Normalizer normalizer = present(root, "normalizer") ? Normalizer.fromJson(root.get("normalizer"), src,
                "normalizer") : null;
        PreTokenizer preTokenizer = present(root, "pre_tokenizer") ? PreTokenizer.fromJson(root.get("pre_tokenizer"),
                src, "pre_tokenizer") : null;
        Decoder decoder = present(root, "decoder") ? Decoder.fromJson(root.get("decoder"), src, "decoder") : null;
        PostProcessor post = present(root, "post_processor") ? PostProcessor.fromJson(root.get("post_processor"),
                src, "post_processor") : PostProcessor.NONE;
        List<AddedToken> added = addedTokens(root.path("added_tokens"), src);
        TokenizerConfig config = tokenizerConfigJsonOrNull == null ? TokenizerConfig.ABSENT
                : TokenizerConfig.read(tokenizerConfigJsonOrNull, JSON);
        return new HfTokenizer(model, normalizer, preTokenizer, decoder, added, post, config);
    }

    private static boolean present(JsonNode root, String field) {
        return root.hasNonNull(field);
    }

    private static List<AddedToken> addedTokens(JsonNode list, JsonSource src) {
        List<AddedToken> out = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw src.error("added_tokens", "expected an array, found " + list.getNodeType());
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String at = "added_tokens[" + i + "]";
            int id = src.integer(t, "id", -1, at);
            if (id < 0) {
                throw src.error(at + ".id", "expected a non-negative id");
            }
            boolean special = src.bool(t, "special", false, at);
            out.add(new AddedToken(id, src.requireText(t, "content", at), special, src.bool(t, "lstrip", false, at),
                    src.bool(t, "rstrip", false, at), src.bool(t, "single_word", false, at),
                    src.bool(t, "normalized", !special, at)));
        }
        return out;
    }

    private SpecialTokens specialTokens(int bos, int eos, TokenizerConfig config) {
        int eot = firstSpecial(END_OF_TURN);
        int pad = config.padToken() == null ? -1 : tokenId(config.padToken());
        List<Integer> eog = new ArrayList<>();
        for (int id : new int[] {eos, eot}) {
            if (id >= 0 && !eog.contains(id)) {
                eog.add(id);
            }
        }
        for (List<String> names : List.of(END_OF_TURN, END_OF_GENERATION)) {
            for (String name : names) {
                Integer id = addedIds.get(name);
                if (id != null && addedById.get(id).special() && !eog.contains(id)) {
                    eog.add(id);
                }
            }
        }
        boolean addBos = bos >= 0 && contains(specialPrefix, bos);
        boolean addEos = eos >= 0 && contains(specialSuffix, eos);
        return new SpecialTokens(bos, eos, eot, model.unknownId(), pad, addBos, addEos,
                eog.stream().mapToInt(Integer::intValue).toArray());
    }

    private int firstSpecial(List<String> names) {
        for (String name : names) {
            Integer id = addedIds.get(name);
            if (id != null && addedById.get(id).special()) {
                return id;
            }
        }
        return -1;
    }

    private static boolean contains(int[] ids, int id) {
        for (int x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }

    /** The chat template from {@code tokenizer_config.json}, if one was given and it has one. */
    public Optional<String> chatTemplate() {
        return Optional.ofNullable(chatTemplate);
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IdList out = new IdList();
        if (addSpecial) {
            out.addAll(specialPrefix);
        }
        boolean skipSpecial = !parseSpecial;
        for (AddedTokenMatcher.Segment raw : rawAddedTokens.split(text, skipSpecial)) {
            if (raw.token() != null) {
                out.add(raw.token().id());
                continue;
            }
            String part = text.substring(raw.start(), raw.end());
            String normalized = normalizer == null ? part : normalizer.normalize(part);
            for (AddedTokenMatcher.Segment seg : normalizedAddedTokens.split(normalized, skipSpecial)) {
                if (seg.token() != null) {
                    out.add(seg.token().id());
                } else if (seg.end() > seg.start()) {
                    encodePiece(new Piece(normalized.substring(seg.start(), seg.end()),
                            raw.start() == 0 && seg.start() == 0), out);
                }
            }
        }
        if (addSpecial) {
            out.addAll(specialSuffix);
        }
        return out.toArray();
    }

    private void encodePiece(Piece piece, IdList out) {
        if (preTokenizer == null) {
            model.tokenize(piece.text(), out);
            return;
        }
        List<Piece> words = new ArrayList<>();
        preTokenizer.split(piece, words);
        for (Piece w : words) {
            model.tokenize(w.text(), out);
        }
    }

    @Override
    public String decode(int[] tokens, boolean renderSpecial) {
        List<String> pieces = new ArrayList<>(tokens.length);
        for (int id : tokens) {
            checkId(id);
            AddedToken added = addedById.get(id);
            if (added != null && added.special() && !renderSpecial) {
                continue;
            }
            String text = text(id);
            if (text != null) {
                pieces.add(text);
            }
        }
        if (decoder == null) {
            return String.join(" ", pieces);
        }
        return String.join("", decoder.decodeChain(pieces));
    }

    @Override
    public byte[] tokenBytes(int token, boolean renderSpecial) {
        checkId(token);
        AddedToken added = addedById.get(token);
        if (added != null && added.special() && !renderSpecial) {
            return new byte[0];
        }
        return pieceBytes[token].clone();
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    /** The token's text; an id inside the range that neither the model nor the added tokens use gives "". */
    @Override
    public String tokenText(int token) {
        checkId(token);
        String text = text(token);
        return text == null ? "" : text;
    }

    @Override
    public int tokenId(String text) {
        Integer added = addedIds.get(text);
        return added != null ? added : model.vocabulary().id(text);
    }

    @Override
    public SpecialTokens specialTokens() {
        return specialTokens;
    }

    private String text(int id) {
        AddedToken added = addedById.get(id);
        return added != null ? added.content() : model.vocabulary().text(id);
    }

    private void checkId(int id) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("token id " + id + " outside [0, " + vocabSize + ")");
        }
    }
}
