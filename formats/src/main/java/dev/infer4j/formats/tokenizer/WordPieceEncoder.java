package dev.infer4j.formats.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's WordPiece encoder ({@code llm_tokenizer_wpm}) for BERT vocabularies converted to GGUF, where a
 * word-initial piece carries a leading {@code ▁} and continuation pieces carry nothing.
 *
 * <p>Normalisation as llama.cpp does it: optionally map each code point to the first code point of its NFD
 * form (which drops accents), drop controls, U+0000 and U+FFFD, optionally lowercase, split at white space and
 * around punctuation, ASCII symbols and CJK ideographs. Each word is then covered greedily by the longest
 * pieces; a word that cannot be covered becomes the unknown token.
 */
final class WordPieceEncoder implements FragmentEncoder {
    private final Vocabulary vocab;
    private final int unknown;
    private final boolean lowercase;
    private final boolean stripAccents;

    WordPieceEncoder(Vocabulary vocab, int unknown, boolean lowercase, boolean stripAccents) {
        this.vocab = vocab;
        this.unknown = unknown;
        this.lowercase = lowercase;
        this.stripAccents = stripAccents;
    }

    @Override
    public void encode(String text, IntList out) {
        for (String word : words(text)) {
            String marked = "\u2581" + word;
            int n = marked.length();
            int before = out.size();
            boolean covered = true;
            for (int i = 0; i < n; ) {
                int match = -1;
                for (int j = Math.min(n, i + vocab.maxTokenChars); j > i; j--) {
                    int id = vocab.lookup.find(marked, i, j);
                    if (id >= 0) {
                        out.add(id);
                        match = j;
                        break;
                    }
                }
                if (match < 0) {
                    covered = false;
                    break;
                }
                i = match;
            }
            if (!covered) {
                out.truncate(before);
            }
            if (out.size() == before) {
                out.add(unknown);
            }
        }
    }

    List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(original -> {
            int cp = stripAccents ? firstOfNfd(original) : original;
            if (UnicodeCategory.isWhitespace(cp)) {
                flush(word, words);
                return;
            }
            int category = UnicodeCategory.of(cp);
            if (cp == 0 || cp == 0xFFFD || category == UnicodeCategory.CONTROL) {
                return;
            }
            if (stripAccents && category == UnicodeCategory.ACCENT_MARK) {
                return;
            }
            int mapped = lowercase ? Character.toLowerCase(cp) : cp;
            if (category == UnicodeCategory.PUNCTUATION || (cp < 0x7F && category == UnicodeCategory.SYMBOL)
                    || isChineseCharacter(cp)) {
                flush(word, words);
                words.add(Character.toString(mapped));
            } else {
                word.appendCodePoint(mapped);
            }
        });
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    private static int firstOfNfd(int cp) {
        if (cp < 0xC0) {
            return cp;
        }
        return Normalizer.normalize(Character.toString(cp), Normalizer.Form.NFD).codePointAt(0);
    }

    /** The CJK ranges BERT's basic tokenizer isolates (as llama.cpp and Hugging Face list them). */
    private static boolean isChineseCharacter(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
