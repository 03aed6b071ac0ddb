package dev.infer4j.formats.tokenizer;

/**
 * The tokens of a vocabulary: text, score and attribute bits by id, and text-to-id lookup.
 * The attribute array is adjusted while loading and read-only afterwards.
 */
final class Vocabulary {
    final String[] texts;
    final float[] scores;
    final int[] attributes;
    final TokenLookup lookup;
    /** Length in chars of the longest token text. */
    final int maxTokenChars;

    Vocabulary(String[] texts, float[] scores, int[] attributes) {
        this.texts = texts;
        this.scores = scores;
        this.attributes = attributes;
        this.lookup = new TokenLookup(texts);
        int max = 0;
        for (String t : texts) {
            max = Math.max(max, t.length());
        }
        maxTokenChars = max;
    }

    int size() {
        return texts.length;
    }

    boolean has(int id, int attribute) {
        return (attributes[id] & attribute) != 0;
    }
}
