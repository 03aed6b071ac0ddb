package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;

/** A {@code tokenizer.json} model: turns one pre-tokenized word into ids. */
sealed interface TokenModel permits BpeModel, WordPieceModel {

    /** Appends the ids of {@code word} (non-empty) to {@code out}. */
    void tokenize(String word, IdList out);

    Vocabulary vocabulary();

    /** The unknown token's id, or -1. */
    int unknownId();

    /** Builds the model described by {@code node}. */
    static TokenModel fromJson(JsonNode node, JsonSource src, String at) {
        String type = node.hasNonNull("type") ? src.type(node, at) : node.has("merges") ? "BPE" : "<missing>";
        return switch (type) {
            case "BPE" -> BpeModel.fromJson(node, src, at);
            case "WordPiece" -> WordPieceModel.fromJson(node, src, at);
            default -> throw src.unsupported("model", at, node);
        };
    }
}
