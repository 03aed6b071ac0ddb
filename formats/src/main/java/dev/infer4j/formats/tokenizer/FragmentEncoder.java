package dev.infer4j.formats.tokenizer;

/** Turns one run of plain text (no special tokens left in it) into token ids. */
sealed interface FragmentEncoder permits SentencePieceEncoder, ByteLevelBpeEncoder, WordPieceEncoder {

    /** Appends the ids of {@code text} to {@code out}. */
    void encode(String text, IntList out);
}
