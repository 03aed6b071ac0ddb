package dev.infer4j.formats.tokenizer;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufValue;

import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Builds the tokenizer a GGUF file describes, reading the vocabulary the way llama.cpp's vocabulary loader
 * does: the same defaults when keys are absent, the same special-token detection by text, the same per-model
 * attribute adjustments.
 */
public final class GgufTokenizers {
    private static final String PREFIX = "tokenizer.ggml.";

    private static final List<String> EOT_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
            "<end_of_utterance>");
    private static final List<String> EOM_TEXTS = List.of("<|eom_id|>");
    private static final List<String> FIM_PRE_TEXTS = List.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final List<String> FIM_SUF_TEXTS = List.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final List<String> FIM_MID_TEXTS = List.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final List<String> FIM_PAD_TEXTS = List.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "[PAD]");
    private static final List<String> FIM_REP_TEXTS = List.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>",
            "<REPO>", "<reponame>");
    private static final List<String> FIM_SEP_TEXTS = List.of("<|file_sep|>");
    private static final List<String> EOG_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
            "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");
    /** gpt-oss tokens llama.cpp always renders. */
    private static final List<String> ALWAYS_RENDERED = List.of("<|channel|>", "<|message|>", "<|start|>",
            "<|constrain|>");

    private GgufTokenizers() {
    }

    /**
     * Reads {@code tokenizer.ggml.*} from {@code file}.
     *
     * @throws ModelFormatException if the tokenizer model is not {@code llama}, {@code gpt2} or {@code bert},
     *                              the pre-tokenizer is unknown, or a key is missing or of the wrong type
     */
    public static GgufTokenizer load(GgufFile file) {
        String model = file.getString(PREFIX + "model");
        VocabularyKind kind = switch (model) {
            case "llama" -> VocabularyKind.SENTENCE_PIECE;
            case "gpt2" -> VocabularyKind.BYTE_LEVEL_BPE;
            case "bert" -> VocabularyKind.WORD_PIECE;
            default -> throw new ModelFormatException(file.path(), -1, "unsupported tokenizer model '" + model
                    + "' in " + PREFIX + "model (supported: llama, gpt2, bert)");
        };
        String preName = file.getString(PREFIX + "pre", "");
        BpePreTokenizer pre = null;
        if (kind == VocabularyKind.BYTE_LEVEL_BPE) {
            pre = BpePreTokenizer.named(preName);
            if (pre == null) {
                throw new ModelFormatException(file.path(), -1, "unsupported pre-tokenizer '" + preName + "' in "
                        + PREFIX + "pre");
            }
        }

        Vocabulary vocab = readVocabulary(file);
        int n = vocab.size();
        SpecialIds ids = SpecialIds.defaults(kind, pre);
        boolean addBos = kind != VocabularyKind.BYTE_LEVEL_BPE || pre.addBos;
        boolean addEos = false;
        boolean addSep = kind == VocabularyKind.WORD_PIECE;
        boolean addSpacePrefix = file.getBoolean(PREFIX + "add_space_prefix", kind == VocabularyKind.SENTENCE_PIECE);
        boolean cleanSpaces = switch (kind) {
            case SENTENCE_PIECE -> false;
            case BYTE_LEVEL_BPE -> pre.cleanSpaces;
            case WORD_PIECE -> true;
        };

        ids.bos = readId(file, "bos_token_id", ids.bos, n);
        ids.eos = readId(file, "eos_token_id", ids.eos, n);
        ids.eot = readId(file, "eot_token_id", ids.eot, n);
        ids.eom = readId(file, "eom_token_id", ids.eom, n);
        ids.unknown = readId(file, "unknown_token_id", ids.unknown, n);
        ids.separator = readId(file, "seperator_token_id", ids.separator, n);
        ids.padding = readId(file, "padding_token_id", ids.padding, n);
        ids.mask = readId(file, "mask_token_id", ids.mask, n);
        ids.fimPrefix = readId(file, "fim_pre_token_id", ids.fimPrefix, n);
        ids.fimSuffix = readId(file, "fim_suf_token_id", ids.fimSuffix, n);
        ids.fimMiddle = readId(file, "fim_mid_token_id", ids.fimMiddle, n);
        ids.fimPad = readId(file, "fim_pad_token_id", ids.fimPad, n);
        ids.fimRepo = readId(file, "fim_rep_token_id", ids.fimRepo, n);
        ids.fimSeparator = readId(file, "fim_sep_token_id", ids.fimSeparator, n);
        ids.fimPrefix = readId(file, "prefix_token_id", ids.fimPrefix, n);
        ids.fimSuffix = readId(file, "suffix_token_id", ids.fimSuffix, n);
        ids.fimMiddle = readId(file, "middle_token_id", ids.fimMiddle, n);

        addBos = file.getBoolean(PREFIX + "add_bos_token", addBos);
        addEos = file.getBoolean(PREFIX + "add_eos_token", addEos);
        addSep = file.getBoolean(PREFIX + "add_sep_token", addSep);
        requireIdFor(file, addBos, ids.bos, "add_bos_token", "bos_token_id");
        requireIdFor(file, addEos, ids.eos, "add_eos_token", "eos_token_id");
        requireIdFor(file, addSep, ids.separator, "add_sep_token", "seperator_token_id");
        boolean lowercase = file.getBoolean(PREFIX + "normalizer.lowercase", true);
        boolean stripAccents = file.getBoolean(PREFIX + "normalizer.strip_accents", lowercase);

        int[] endOfGeneration = markSpecialTokens(vocab, ids);
        String modelName = file.getString("general.name", "").toLowerCase(Locale.ROOT);
        String architecture = file.getString("general.architecture", "");
        applyModelQuirks(vocab, preName, modelName, architecture);

        FragmentEncoder encoder = switch (kind) {
            case SENTENCE_PIECE -> new SentencePieceEncoder(vocab);
            case BYTE_LEVEL_BPE -> new ByteLevelBpeEncoder(vocab, stringArray(file, "merges"),
                    new PreTokenizer(pre.regexes), pre.ignoreMerges);
            case WORD_PIECE -> new WordPieceEncoder(vocab, ids.unknown, lowercase, stripAccents);
        };
        SpecialTokens specials = new SpecialTokens(ids.bos, ids.eos, ids.eot, ids.unknown, ids.padding, addBos,
                addEos, endOfGeneration);
        return new GgufTokenizer(vocab, kind, encoder, specials, ids.separator, addSpacePrefix, cleanSpaces);
    }

    private static Vocabulary readVocabulary(GgufFile file) {
        String[] stored = stringArray(file, "tokens");
        int n = stored.length;
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            texts[i] = stored[i].isEmpty() ? "[EMPTY_" + i + "]" : stored[i];
        }
        float[] scores = new float[n];
        GgufValue scoreValue = file.metadata().get(PREFIX + "scores");
        if (scoreValue != null) {
            float[] s = convert(file, "scores", scoreValue, "an array of numbers", GgufValue::asFloatArray);
            requireLength(file, "scores", s.length, n);
            System.arraycopy(s, 0, scores, 0, n);
        }
        int[] attributes = new int[n];
        GgufValue typeValue = file.metadata().get(PREFIX + "token_type");
        if (typeValue != null) {
            int[] types = convert(file, "token_type", typeValue, "an array of integers", GgufValue::asIntArray);
            requireLength(file, "token_type", types.length, n);
            for (int i = 0; i < n; i++) {
                attributes[i] = TokenAttributes.fromGgufType(types[i]);
            }
        } else {
            java.util.Arrays.fill(attributes, TokenAttributes.NORMAL);
        }
        try {
            return new Vocabulary(texts, scores, attributes);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file.path(), -1, PREFIX + "tokens: " + e.getMessage(), e);
        }
    }

    private static String[] stringArray(GgufFile file, String key) {
        return convert(file, key, file.require(PREFIX + key), "an array of strings", GgufValue::asStringArray);
    }

    private static <T> T convert(GgufFile file, String key, GgufValue value, String expected,
                                 java.util.function.Function<GgufValue, T> read) {
        try {
            return read.apply(value);
        } catch (IllegalStateException e) {
            throw new ModelFormatException(file.path(), -1, PREFIX + key + " must be " + expected + ": "
                    + e.getMessage(), e);
        }
    }

    private static void requireLength(GgufFile file, String key, int found, int tokens) {
        if (found < tokens) {
            throw new ModelFormatException(file.path(), -1, PREFIX + key + " has " + found
                    + " entries, expected one per token (" + tokens + ")");
        }
    }

    /** A special id from metadata; an absent key or an id outside the vocabulary keeps the default. */
    private static int readId(GgufFile file, String key, int current, int n) {
        int fallback = current >= n ? -1 : current;
        GgufValue value = file.metadata().get(PREFIX + key);
        if (value == null) {
            return fallback;
        }
        long id = convert(file, key, value, "an integer", GgufValue::asLong);
        return id >= 0 && id < n ? (int) id : fallback;
    }

    private static void requireIdFor(GgufFile file, boolean add, int id, String addKey, String idKey) {
        if (add && id < 0) {
            throw new ModelFormatException(file.path(), -1, PREFIX + addKey + " is true, but " + PREFIX + idKey
                    + " is not set");
        }
    }

    /**
     * Finds end-of-turn, fill-in-the-middle and end-of-generation tokens by their text where metadata does not
     * name them, marking each as control, as llama.cpp does; returns the end-of-generation ids. Where several
     * candidates exist llama.cpp's pick depends on hash order; here the first of its candidate list wins.
     */
    private static int[] markSpecialTokens(Vocabulary vocab, SpecialIds ids) {
        ids.eot = detect(vocab, ids.eot, EOT_TEXTS);
        ids.eom = detect(vocab, ids.eom, EOM_TEXTS);
        ids.fimPrefix = detect(vocab, ids.fimPrefix, FIM_PRE_TEXTS);
        ids.fimSuffix = detect(vocab, ids.fimSuffix, FIM_SUF_TEXTS);
        ids.fimMiddle = detect(vocab, ids.fimMiddle, FIM_MID_TEXTS);
        ids.fimPad = detect(vocab, ids.fimPad, FIM_PAD_TEXTS);
        ids.fimRepo = detect(vocab, ids.fimRepo, FIM_REP_TEXTS);
        ids.fimSeparator = detect(vocab, ids.fimSeparator, FIM_SEP_TEXTS);

        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.has(id, TokenAttributes.CONTROL) && vocab.texts[id].contains("unused")) {
                vocab.attributes[id] |= TokenAttributes.UNUSED;
            }
        }

        TreeSet<Integer> eog = new TreeSet<>();
        for (int id : new int[] {ids.fimPad, ids.fimRepo, ids.fimSeparator}) {
            if (id >= 0) {
                eog.add(id);
            }
        }
        for (String text : EOG_TEXTS) {
            int id = vocab.lookup.find(text);
            if (id >= 0) {
                eog.add(id);
                vocab.attributes[id] |= TokenAttributes.CONTROL;
            }
        }
        for (String text : ALWAYS_RENDERED) {
            int id = vocab.lookup.find(text);
            if (id >= 0) {
                vocab.attributes[id] = TokenAttributes.USER_DEFINED;
            }
        }
        for (int id : new int[] {ids.eos, ids.eot, ids.eom}) {
            if (id >= 0) {
                eog.add(id);
            }
        }
        // harmony and solar-open chat formats end turns with <|return|>/<|call|> or <|calls|>/<|flush|>;
        // there <|end|> only separates messages
        int end = textId(vocab, eog, "<|end|>");
        boolean hasCall = textId(vocab, eog, "<|call|>") >= 0 || textId(vocab, eog, "<|calls|>") >= 0;
        if (end >= 0 && hasCall && (textId(vocab, eog, "<|return|>") >= 0 || textId(vocab, eog, "<|flush|>") >= 0)) {
            eog.remove(end);
            vocab.attributes[end] = TokenAttributes.USER_DEFINED;
        }
        int closing = textId(vocab, eog, "</s>");
        if (closing >= 0 && textId(vocab, eog, "<|tool_response>") >= 0) {
            eog.remove(closing);
            vocab.attributes[closing] = TokenAttributes.NORMAL;
        }
        return eog.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int detect(Vocabulary vocab, int current, List<String> candidates) {
        if (current >= 0) {
            return current;
        }
        for (String text : candidates) {
            int id = vocab.lookup.find(text);
            if (id >= 0) {
                vocab.attributes[id] |= TokenAttributes.CONTROL;
                return id;
            }
        }
        return -1;
    }

    private static int textId(Vocabulary vocab, TreeSet<Integer> among, String text) {
        int id = vocab.lookup.find(text);
        return id >= 0 && among.contains(id) ? id : -1;
    }

    /** llama.cpp's per-model strip attributes, keyed by pre-tokenizer, model name and architecture. */
    private static void applyModelQuirks(Vocabulary vocab, String pre, String modelName, String architecture) {
        if (pre.contains("jina-v2-de") || pre.contains("jina-v2-es") || pre.contains("jina-v2-code")
                || architecture.contains("nomic-bert-moe") || architecture.contains("jina-bert-v3")) {
            setAttribute(vocab, "<mask>", TokenAttributes.LSTRIP, true);
        } else if (modelName.contains("phi-3") || modelName.contains("phi3")) {
            int special = TokenAttributes.CONTROL | TokenAttributes.USER_DEFINED | TokenAttributes.UNKNOWN;
            for (int id = 0; id < vocab.size(); id++) {
                if (vocab.has(id, special)) {
                    vocab.attributes[id] |= TokenAttributes.RSTRIP;
                }
            }
            setAttribute(vocab, "</s>", TokenAttributes.RSTRIP, true);
            for (String text : List.of("<unk>", "<s>", "<|endoftext|>")) {
                setAttribute(vocab, text, TokenAttributes.RSTRIP, false);
            }
        } else if (modelName.contains("modern-bert")) {
            setAttribute(vocab, "[MASK]", TokenAttributes.LSTRIP, true);
        }
    }

    private static void setAttribute(Vocabulary vocab, String text, int attribute, boolean value) {
        int id = vocab.lookup.find(text);
        if (id >= 0) {
            vocab.attributes[id] = value ? vocab.attributes[id] | attribute : vocab.attributes[id] & ~attribute;
        }
    }

    /** The special ids while they are being read; -1 is absent. */
    private static final class SpecialIds {
        int bos;
        int eos;
        int eot = -1;
        int eom = -1;
        int unknown;
        int separator = -1;
        int padding = -1;
        int mask = -1;
        int fimPrefix = -1;
        int fimSuffix = -1;
        int fimMiddle = -1;
        int fimPad = -1;
        int fimRepo = -1;
        int fimSeparator = -1;

        /** llama.cpp's defaults per family, before metadata. */
        static SpecialIds defaults(VocabularyKind kind, BpePreTokenizer pre) {
            SpecialIds ids = new SpecialIds();
            switch (kind) {
                case SENTENCE_PIECE -> {
                    ids.bos = 1;
                    ids.eos = 2;
                    ids.unknown = 0;
                }
                case WORD_PIECE -> {
                    ids.bos = 101;
                    ids.eos = -1;
                    ids.unknown = 100;
                    ids.separator = 102;
                    ids.padding = 0;
                    ids.mask = 103;
                }
                case BYTE_LEVEL_BPE -> {
                    ids.bos = pre == BpePreTokenizer.CHATGLM4 ? -1 : 11;
                    ids.eos = 11;
                    ids.unknown = -1;
                }
            }
            return ids;
        }
    }
}
