package dev.infer4j.runtime.engine;

/** What a generation starts from: text to tokenize, or token ids as they are. */
public sealed interface Prompt {

    /**
     * Text, tokenized with the model's tokenizer.
     *
     * @param text         the prompt
     * @param addSpecial   add BOS (and EOS where the vocabulary asks), as for a raw completion
     * @param parseSpecial recognise special tokens written in the text (rendered chat templates need this)
     */
    record Text(String text, boolean addSpecial, boolean parseSpecial) implements Prompt {
    }

    /** Token ids, used as they are. */
    record Tokens(int[] ids) implements Prompt {
        /** Copies the ids. */
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }
    }

    /** A text prompt with BOS added and special tokens left as text: a plain completion. */
    static Prompt text(String text) {
        return new Text(text, true, false);
    }
}
