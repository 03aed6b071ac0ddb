package dev.infer4j.runtime.spec;

import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.runtime.model.Model;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How an engine proposes tokens for its target model to verify in one forward pass.
 */
public sealed interface Speculation {

    /** Most tokens proposed per sequence per step. */
    int maxTokens();

    /**
     * Prompt lookup: the last {@code maxMatch .. minMatch} tokens are looked up in the sequence's earlier text
     * (prompt and generated), and the tokens that followed the latest match are proposed. Needs no draft model.
     *
     * @param maxTokens most tokens proposed
     * @param minMatch  shortest suffix that may match
     * @param maxMatch  longest suffix tried first
     */
    record Ngram(int maxTokens, int minMatch, int maxMatch) implements Speculation {
        /** Validates the lengths. */
        public Ngram {
            if (maxTokens < 1 || minMatch < 1 || maxMatch < minMatch) {
                throw new IllegalArgumentException("n-gram speculation needs maxTokens >= 1 and "
                        + "1 <= minMatch <= maxMatch, got " + maxTokens + ", " + minMatch + ", " + maxMatch);
            }
        }

        /** Suffixes of 3 down to 1 tokens. */
        public static Ngram of(int maxTokens) {
            return new Ngram(maxTokens, 1, 3);
        }
    }

    /**
     * A loaded draft model, with its own KV cache, run on the same kernels as the target.
     *
     * @param model     the draft; must share the target's vocabulary
     * @param tokenizer the draft's tokenizer, to check the vocabulary
     * @param maxTokens most tokens drafted per step
     * @param minP      drafting stops at a token whose probability under the draft (softmax of its raw logits)
     *                  is below this; 0 drafts {@code maxTokens} every step
     */
    record Draft(Model model, Tokenizer tokenizer, int maxTokens, float minP) implements Speculation {
        /** Validates the limits. */
        public Draft {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(tokenizer, "tokenizer");
            checkDraftLimits(maxTokens, minP);
        }
    }

    /**
     * A draft model file for {@code Engine.open} to load next to the target.
     *
     * @param file      the draft's GGUF file
     * @param maxTokens most tokens drafted per step
     * @param minP      as in {@link Draft}
     */
    record DraftFile(Path file, int maxTokens, float minP) implements Speculation {
        /** Validates the limits. */
        public DraftFile {
            Objects.requireNonNull(file, "file");
            checkDraftLimits(maxTokens, minP);
        }
    }

    private static void checkDraftLimits(int maxTokens, float minP) {
        if (maxTokens < 1 || !(minP >= 0f && minP <= 1f)) {
            throw new IllegalArgumentException("draft speculation needs maxTokens >= 1 and minP in [0, 1], got "
                    + maxTokens + " and " + minP);
        }
    }
}
