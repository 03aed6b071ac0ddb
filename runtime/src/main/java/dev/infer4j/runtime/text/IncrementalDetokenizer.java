package dev.infer4j.runtime.text;

import dev.infer4j.formats.tokenizer.Tokenizer;

import java.util.Objects;

/**
 * Turns a stream of token ids into text deltas, never splitting a UTF-8 character between two deltas (a token
 * may carry only part of one: byte-fallback tokens, byte-level BPE pieces).
 *
 * <p>SentencePiece's leading space: an encoder with {@code add_space_prefix} puts a space before the first
 * word, and llama.cpp's detokenizer drops one leading space of the first token's piece (and only of that
 * token). Text generated after a prompt keeps it, because llama.cpp's server streams each generated token's
 * piece as is. So pass {@code dropLeadingSpace = true} when decoding a SentencePiece sequence from its start
 * (no BOS before it), and {@code false} for a continuation.
 *
 * <p>Not thread-safe; one per sequence.
 */
public final class IncrementalDetokenizer {

    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final Utf8StreamDecoder decoder = new Utf8StreamDecoder();
    private boolean dropSpace;

    /**
     * @param tokenizer        gives each token's bytes
     * @param renderSpecial    render control tokens' text (as {@link Tokenizer#tokenBytes})
     * @param dropLeadingSpace drop one space at the start of the first token's bytes (see the class comment)
     */
    public IncrementalDetokenizer(Tokenizer tokenizer, boolean renderSpecial, boolean dropLeadingSpace) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.renderSpecial = renderSpecial;
        this.dropSpace = dropLeadingSpace;
    }

    /** Adds a token and returns the text it completes, possibly empty. */
    public String push(int token) {
        byte[] bytes = tokenizer.tokenBytes(token, renderSpecial);
        int skip = dropSpace && bytes.length > 0 && bytes[0] == ' ' ? 1 : 0;
        dropSpace = false;
        return decoder.decode(bytes, skip, bytes.length - skip);
    }

    /** Ends the stream: bytes of a character that never completed become U+FFFD. */
    public String finish() {
        return decoder.flush();
    }

    /** Whether part of a character is held back. */
    public boolean hasPending() {
        return decoder.hasPending();
    }
}
