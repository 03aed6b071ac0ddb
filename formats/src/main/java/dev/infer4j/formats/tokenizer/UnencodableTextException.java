package dev.infer4j.formats.tokenizer;

/**
 * Text that a vocabulary cannot express: a SentencePiece vocabulary without byte-fallback tokens meeting a
 * character it has no piece for. llama.cpp fails the same way (its HTTP server answers 500); a server should
 * answer such a request with a client error.
 */
public final class UnencodableTextException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param detail which byte or character had no token */
    public UnencodableTextException(String detail) {
        super(detail);
    }
}
