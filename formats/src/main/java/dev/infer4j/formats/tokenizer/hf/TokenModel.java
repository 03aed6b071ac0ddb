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
    static TokenModel fromJson(ModelJson model, JsonSource src) {
        JsonNode settings = model.settings();
        String type = settings.hasNonNull("type") ? src.type(settings, "model")
                : model.mergeLefts() != null ? "BPE" : "<missing>";
        if (!type.equals("BPE") && !type.equals("WordPiece")) {
            throw src.unsupported("model", "model", settings);
        }
        if (model.vocab() == null) {
            throw src.error("model.vocab", "expected the vocab object {\"token\": id, ...}");
        }
        return type.equals("BPE") ? BpeModel.fromJson(model, src) : WordPieceModel.fromJson(model, src);
    }
}
