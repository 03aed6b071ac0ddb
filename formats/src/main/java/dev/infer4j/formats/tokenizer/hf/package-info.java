/**
 * Hugging Face {@code tokenizer.json} (plus optional {@code tokenizer_config.json}) loader that reproduces the
 * {@code tokenizers} library token for token: added-token extraction, normalizers, pre-tokenizers, the BPE and
 * WordPiece models, post-processors and decoders, each a small immutable component built from its JSON.
 *
 * <p>The entry point is {@link dev.infer4j.formats.tokenizer.hf.HfTokenizer}; everything else is package-private.
 * Depends only on the JDK, Jackson and {@code dev.infer4j.formats} (the {@code Tokenizer} contract and
 * {@code ModelFormatException}); knows nothing of models, GGUF or inference.
 */
package dev.infer4j.formats.tokenizer.hf;
