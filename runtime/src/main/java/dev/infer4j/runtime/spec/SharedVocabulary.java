package dev.infer4j.runtime.spec;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.tokenizer.Tokenizer;

import java.nio.file.Path;

/** The check that a draft model speaks the target's vocabulary: same size, same text for every token id. */
public final class SharedVocabulary {
    private SharedVocabulary() {
    }

    /**
     * @param draftFile named in the error (may be null for a draft loaded elsewhere)
     * @throws ModelFormatException naming the first difference when the vocabularies differ
     */
    public static void require(Tokenizer target, Tokenizer draft, Path draftFile) {
        if (target.vocabSize() != draft.vocabSize()) {
            throw new ModelFormatException(draftFile, -1, "the draft model has a vocabulary of "
                    + draft.vocabSize() + " tokens, the target " + target.vocabSize()
                    + ": speculative decoding needs a draft with the target's vocabulary");
        }
        for (int id = 0; id < target.vocabSize(); id++) {
            String t = target.tokenText(id);
            String d = draft.tokenText(id);
            if (!t.equals(d)) {
                throw new ModelFormatException(draftFile, -1, "token " + id + " is \"" + d + "\" in the draft model "
                        + "but \"" + t + "\" in the target: speculative decoding needs a draft with the target's "
                        + "vocabulary");
            }
        }
    }
}
