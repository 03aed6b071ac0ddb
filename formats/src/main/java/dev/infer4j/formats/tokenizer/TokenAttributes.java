package dev.infer4j.formats.tokenizer;

/**
 * Per-token attribute bits, as llama.cpp keeps them ({@code llama_token_attr}). A token may carry several:
 * the loader adds CONTROL to end-of-turn-looking tokens and LSTRIP/RSTRIP to some models' special tokens.
 */
final class TokenAttributes {
    static final int UNDEFINED = 0;
    static final int UNKNOWN = 1;
    static final int UNUSED = 1 << 1;
    static final int NORMAL = 1 << 2;
    static final int CONTROL = 1 << 3;
    static final int USER_DEFINED = 1 << 4;
    static final int BYTE = 1 << 5;
    static final int LSTRIP = 1 << 7;
    static final int RSTRIP = 1 << 8;

    private TokenAttributes() {
    }

    /** The attribute of a GGUF {@code tokenizer.ggml.token_type} value (unknown values are UNDEFINED). */
    static int fromGgufType(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
