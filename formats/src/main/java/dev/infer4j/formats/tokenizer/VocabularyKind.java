package dev.infer4j.formats.tokenizer;

/** The tokenizer families of GGUF's {@code tokenizer.ggml.model} that infer4j implements. */
public enum VocabularyKind {
    /** {@code llama}: SentencePiece-style merges by score, byte fallback. */
    SENTENCE_PIECE("llama"),
    /** {@code gpt2}: byte-level BPE with a pre-tokenizer chosen by {@code tokenizer.ggml.pre}. */
    BYTE_LEVEL_BPE("gpt2"),
    /** {@code bert}: WordPiece. */
    WORD_PIECE("bert");

    private final String ggufName;

    VocabularyKind(String ggufName) {
        this.ggufName = ggufName;
    }

    /** The value of {@code tokenizer.ggml.model} for this kind. */
    public String ggufName() {
        return ggufName;
    }
}
