package dev.infer4j.runtime.spec;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.kernels.AttentionMethod;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCache;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Model;

/**
 * Loads the draft model that a {@link Speculation.DraftFile} names, next to its target: the engine's own
 * {@code open} and the server's loader both go through here, so a draft is checked and sized the same way wherever
 * it is served.
 */
public final class DraftLoader {
    private DraftLoader() {
    }

    /**
     * The draft in {@code draftFile}, after checking that it speaks the target's vocabulary (before its weights
     * are read, so a wrong draft fails fast). Its KV cache holds the target's positions plus, for every sequence,
     * the proposals that run ahead of the target's cache and two blocks of slack.
     *
     * @param draft           what to load and how far to draft
     * @param draftFile       the draft's opened GGUF file, which must outlive the returned model
     * @param target          the target's tokenizer
     * @param kernels         the target's kernels, which the draft shares
     * @param targetPositions positions of the target's KV cache
     * @param sequences       sequences decoded together
     * @param attention       how the draft computes attention (the target's choice)
     * @throws dev.infer4j.formats.ModelFormatException if the draft's vocabulary differs from the target's, or the
     *                                                  file is not a model infer4j can run
     */
    public static Speculation.Draft load(Speculation.DraftFile draft, GgufFile draftFile, Tokenizer target,
                                         Kernels kernels, int targetPositions, int sequences,
                                         AttentionMethod attention) {
        Tokenizer draftTokenizer = GgufTokenizers.load(draftFile);
        SharedVocabulary.require(target, draftTokenizer, draft.file());
        int positions = targetPositions + sequences * (draft.maxTokens() + 2 * KvCache.DEFAULT_BLOCK_SIZE);
        Model model = Model.load(draftFile, kernels, KvCacheSpec.forPositions(positions), attention);
        return new Speculation.Draft(model, draftTokenizer, draft.maxTokens(), draft.minP());
    }
}
