package dev.infer4j.formats.tokenizer.hf;

/**
 * An entry of {@code added_tokens}: text matched as a whole before the model sees the input.
 *
 * @param id         its id
 * @param content    its text
 * @param special    a control token (skipped when decoding without rendering specials)
 * @param lstrip     swallows the whitespace before it
 * @param rstrip     swallows the whitespace after it
 * @param singleWord matches only when not inside a word
 * @param normalized matched against the normalized text (its own normalized form) instead of the raw input
 */
record AddedToken(int id, String content, boolean special, boolean lstrip, boolean rstrip, boolean singleWord,
                  boolean normalized) {
}
