package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * BERT's WordPiece as Hugging Face's {@code WordPiece} model: greedy longest-prefix matching, continuations
 * written with a {@code ##} prefix; a word with any unmatchable part, or longer than
 * {@code max_input_chars_per_word}, becomes the single unknown token.
 */
final class WordPieceModel implements TokenModel {
    private final Vocabulary vocab;
    private final String unkToken;
    private final int unkId;
    private final String continuingSubwordPrefix;
    private final int maxInputCharsPerWord;

    private WordPieceModel(Vocabulary vocab, String unkToken, String continuingSubwordPrefix,
                           int maxInputCharsPerWord) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.unkId = vocab.id(unkToken);
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
    }

    static WordPieceModel fromJson(JsonNode node, JsonSource src, String at) {
        Vocabulary vocab = Vocabulary.fromJson(node.get("vocab"), src, at + ".vocab");
        String unk = node.hasNonNull("unk_token") ? src.requireText(node, "unk_token", at) : "[UNK]";
        String prefix = node.hasNonNull("continuing_subword_prefix")
                ? src.requireText(node, "continuing_subword_prefix", at) : "##";
        return new WordPieceModel(vocab, unk, prefix, src.integer(node, "max_input_chars_per_word", 100, at));
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    @Override
    public int unknownId() {
        return unkId;
    }

    @Override
    public void tokenize(String word, IdList out) {
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            out.add(unk());
            return;
        }
        IdList pieces = new IdList();
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            int found = -1;
            while (start < end) {
                String sub = word.substring(start, end);
                if (start > 0) {
                    sub = continuingSubwordPrefix + sub;
                }
                found = vocab.id(sub);
                if (found >= 0) {
                    break;
                }
                end -= Character.charCount(word.codePointBefore(end));
            }
            if (found < 0) {
                out.add(unk());
                return;
            }
            pieces.add(found);
            start = end;
        }
        out.addAll(pieces.toArray());
    }

    private int unk() {
        if (unkId < 0) {
            throw new IllegalArgumentException("unk_token \"" + unkToken + "\" is not in the vocab");
        }
        return unkId;
    }
}
