package dev.infer4j.formats.tokenizer;

import java.util.List;

/**
 * The byte-level BPE pre-tokenizers llama.cpp selects by {@code tokenizer.ggml.pre}, with the regexes and the
 * vocabulary flags each implies. Names map as in llama.cpp's vocabulary loader; a GGUF without the key uses
 * {@link #DEFAULT}.
 */
enum BpePreTokenizer {
    DEFAULT(true, false, false, List.of("default"),
            "[\\p{P}\\$\\+<=>\\^~\\|]+",
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
            "\\p{N}+",
            "[0-9][0-9][0-9]"),
    LLAMA3(true, true, true, List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral",
            "midm-2.0", "lfm2", "jina-v5-nano"),
            Llama3WordSplit.REGEX),
    DBRX(true, false, false, List.of("dbrx", "smaug-bpe"), Llama3WordSplit.REGEX),
    CHATGLM4(true, false, false, List.of("glm4", "chatglm-bpe"), Llama3WordSplit.REGEX),
    DEEPSEEK_LLM(false, false, false, List.of("deepseek-llm"),
            "[\r\n]",
            "\\s?["
                    + "\\x{41}-\\x{5A}\\x{61}-\\x{7A}\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}"
                    + "\\x{1BC}-\\x{1BF}\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}\\x{377}"
                    + "\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}"
                    + "\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}\\x{10A0}-\\x{10C5}"
                    + "\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}\\x{1CBD}-\\x{1CBF}"
                    + "\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}\\x{1E00}-\\x{1F15}"
                    + "\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}\\x{1F50}-\\x{1F57}\\x{1F59}"
                    + "\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}"
                    + "\\x{1FC2}-\\x{1FC4}\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}"
                    + "\\x{1FE0}-\\x{1FEC}\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}"
                    + "\\x{210A}-\\x{2113}\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}"
                    + "\\x{212A}-\\x{212D}\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}"
                    + "\\x{214E}\\x{2183}\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}"
                    + "\\x{2CF2}\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}"
                    + "\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}"
                    + "\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}"
                    + "\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}\\x{10CC0}-\\x{10CF2}"
                    + "\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}]+",
            "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
            "\\s+$",
            "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
            "\\p{N}+"),
    DEEPSEEK_CODER(false, false, false, List.of("deepseek-coder"),
            "[\r\n]",
            "\\s?\\p{L}+",
            "\\s?\\p{P}+",
            "[\\x{4E00}-\\x{9FA5}\\x{800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+",
            "\\p{N}"),
    DEEPSEEK3(false, false, false, List.of("deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4"),
            "\\p{N}{1,3}",
            "[\\x{4E00}-\\x{9FA5}\\x{3040}-\\x{309F}\\x{30A0}-\\x{30FF}]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
                    + "| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
    FALCON(true, false, false, List.of("falcon"),
            "[\\p{P}\\$\\+<=>\\^~\\|`]+",
            Gpt2WordSplit.REGEX,
            "[0-9][0-9][0-9]"),
    STARCODER(true, false, false, List.of("starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2"),
            "\\p{N}",
            Gpt2WordSplit.REGEX),
    STARCODER_NO_CLEAN(false, false, false, List.of("command-r", "smollm"),
            "\\p{N}",
            Gpt2WordSplit.REGEX),
    GPT2(true, false, false, List.of("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es",
            "jina-v2-de", "a.x-4.0", "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "mpt",
            "olmo", "jais", "exaone4"),
            Gpt2WordSplit.REGEX),
    GPT2_NO_CLEAN(false, false, false, List.of("trillion", "granite-docling"), Gpt2WordSplit.REGEX),
    QWEN2(false, false, false, List.of("qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open"),
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    QWEN2_CLEAN(true, false, false, List.of("stablelm2", "megrez"),
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    QWEN35(false, false, false, List.of("qwen35"),
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?[\\p{L}\\p{M}]+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{M}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    PORO(false, false, false, List.of("poro-chat"), Shared.WORDS_UNTIL_PUNCTUATION),
    BLOOM(true, false, false, List.of("bloom", "gpt3-finnish"), Shared.WORDS_UNTIL_PUNCTUATION),
    VIKING(false, false, false, List.of("viking"), Shared.WORDS_UNTIL_PUNCTUATION, "\\p{N}"),
    TEKKEN(false, true, true, List.of("tekken"),
            "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])"
                    + "([^a-z]))+((?=[\\p{L}])([^A-Z]))*|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    GPT4O(false, false, false, List.of("gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"),
            "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]"
                    + "|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]"
                    + "|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+"
                    + "|\\s+(?!\\S)|\\s+"),
    SEED_CODER(false, false, false, List.of("seed-coder"),
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1}"
                    + "| ?[^\\s\\p{L}\\p{N}\\r\\n]+|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    GROK2(false, false, false, List.of("grok-2"),
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    BAILINGMOE(false, false, false, List.of("bailingmoe", "bailingmoe2", "llada-moe"),
            "'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]|\\s+(?!\\S)|\\s+");

    /** Regexes several pre-tokenizers use (a nested class, since enum constants cannot see the enum's own statics). */
    private static final class Shared {
        static final String WORDS_UNTIL_PUNCTUATION =
                " ?[^(\\s|.,!?\\x{2026}\\x{3002}\\x{FF0C}\\x{3001}\\x{964}\\x{6D4}\\x{60C})]+";
    }

    /** llama.cpp's {@code clean_spaces}: the detokenizer removes spaces before punctuation. */
    final boolean cleanSpaces;
    /** A word that is itself a token is taken whole, before any merge. */
    final boolean ignoreMerges;
    /** The vocabulary adds BOS unless {@code tokenizer.ggml.add_bos_token} says otherwise. */
    final boolean addBos;
    final List<String> names;
    final List<String> regexes;

    BpePreTokenizer(boolean cleanSpaces, boolean ignoreMerges, boolean addBos, List<String> names,
                    String... regexes) {
        this.cleanSpaces = cleanSpaces;
        this.ignoreMerges = ignoreMerges;
        this.addBos = addBos;
        this.names = names;
        this.regexes = List.of(regexes);
    }

    /** The pre-tokenizer called {@code name} in GGUF metadata, or {@code null} if llama.cpp has none by it. */
    static BpePreTokenizer named(String name) {
        if (name.isEmpty()) {
            return DEFAULT;
        }
        for (BpePreTokenizer p : values()) {
            if (p.names.contains(name)) {
                return p;
            }
        }
        return null;
    }
}
