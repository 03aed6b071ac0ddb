/**
 * Tokenizers: SentencePiece-style, byte-level BPE and WordPiece vocabularies read from GGUF, reproducing
 * llama.cpp exactly; {@code hf} holds the Hugging Face {@code tokenizer.json} loader.
 *
 * <p>Depends only on the JDK and Jackson; knows nothing of models or inference.
 */
package dev.infer4j.formats.tokenizer;
