package dev.infer4j.formats.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back, for one model's vocabulary.
 *
 * <p>Implementations are immutable and thread-safe. Decoding works on bytes, not strings, because a single
 * token may hold part of a UTF-8 character; {@link #tokenBytes} lets a streaming detokenizer hold back an
 * incomplete character until the next token completes it.
 */
public interface Tokenizer {

    /**
     * Splits text into token ids.
     *
     * @param text         the text
     * @param addSpecial   add the model's BOS (and EOS, where the vocabulary asks for it), as llama.cpp's
     *                     {@code add_special}
     * @param parseSpecial recognise special tokens written in the text (e.g. {@code <|im_start|>}) as single
     *                     ids; when false they are tokenized as plain text
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /** Same as {@code encode(text, false, false)}: llama.cpp's test-tokenizer semantics. */
    default int[] encode(String text) {
        return encode(text, false, false);
    }

    /**
     * The bytes a token contributes to the output text (byte-fallback tokens give their byte, SentencePiece's
     * {@code ▁} becomes a space, byte-level BPE pieces are mapped back to bytes). Control tokens give their
     * text only when {@code renderSpecial} is true.
     */
    byte[] tokenBytes(int token, boolean renderSpecial);

    /**
     * Decodes a whole sequence as llama.cpp's detokenizer does: concatenates token bytes and, for SentencePiece
     * vocabularies, drops the single leading space that the encoder added.
     */
    default String decode(int[] tokens, boolean renderSpecial) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int t : tokens) {
            out.writeBytes(tokenBytes(t, renderSpecial));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Number of ids. */
    int vocabSize();

    /** The stored text of a token (its piece as written in the vocabulary). */
    String tokenText(int token);

    /** The id of a token whose stored text is exactly {@code text}, or -1. */
    int tokenId(String text);

    /** Special token ids of this vocabulary. */
    SpecialTokens specialTokens();
}
