package dev.infer4j.formats.tokenizer.hf;

/**
 * A stretch of text on its way through the pre-tokenizers.
 *
 * @param text     the (normalized) text
 * @param atOrigin whether it begins where the original input began (Metaspace's {@code prepend_scheme: first}
 *                 prepends only there)
 */
record Piece(String text, boolean atOrigin) {
}
