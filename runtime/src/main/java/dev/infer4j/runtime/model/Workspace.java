package dev.infer4j.runtime.model;

import dev.infer4j.kernels.ActivationBuffer;
import dev.infer4j.kernels.Kernels;

/**
 * The activation buffers of a forward pass over up to {@link #tokens} tokens and {@link #logitRows} logit rows,
 * plus the small host arrays of expert routing. Made once per batch shape and reused.
 */
final class Workspace {
    final int tokens;
    final int logitRows;
    /** Residual stream. */
    final ActivationBuffer x;
    /** Normalised input of the current block. */
    final ActivationBuffer normed;
    final ActivationBuffer query;
    final ActivationBuffer key;
    final ActivationBuffer value;
    final ActivationBuffer attended;
    /** Output of the current block before the residual add. */
    final ActivationBuffer branch;
    final ActivationBuffer gate;
    final ActivationBuffer up;
    final ActivationBuffer hidden;
    final ActivationBuffer logits;
    final int[] logitSourceRows;
    // experts
    final ActivationBuffer router;
    final ActivationBuffer expertInput;
    final ActivationBuffer expertOutput;
    final ActivationBuffer sharedGate;
    final int[] chosenExperts;
    final float[] chosenWeights;
    final int[] expertRows;
    final float[] expertScales;

    Workspace(Kernels kernels, ModelConfig config, int tokens, int logitRows) {
        this.tokens = tokens;
        this.logitRows = logitRows;
        AttentionConfig a = config.attention();
        FeedForwardConfig f = config.feedForward();
        int width = config.embeddingLength();
        int hiddenWidth = f.length();
        if (f.isMoe()) {
            hiddenWidth = Math.max(f.experts().length(), f.experts().sharedLength());
        }
        x = kernels.allocate(tokens * width);
        normed = kernels.allocate(tokens * width);
        query = kernels.allocate(tokens * a.headCount() * a.keyLength());
        key = kernels.allocate(tokens * a.kvHeadCount() * a.keyLength());
        value = kernels.allocate(tokens * a.kvHeadCount() * a.valueLength());
        attended = kernels.allocate(tokens * a.headCount() * a.valueLength());
        branch = kernels.allocate(tokens * width);
        gate = kernels.allocate(tokens * hiddenWidth);
        up = kernels.allocate(tokens * hiddenWidth);
        hidden = kernels.allocate(logitRows * width);
        logits = kernels.allocate(logitRows * config.vocabSize());
        logitSourceRows = new int[logitRows];
        int experts = f.isMoe() ? f.experts().count() : 0;
        int used = f.isMoe() ? f.experts().used() : 0;
        router = f.isMoe() ? kernels.allocate(tokens * experts) : null;
        expertInput = f.isMoe() ? kernels.allocate(tokens * width) : null;
        expertOutput = f.isMoe() ? kernels.allocate(tokens * width) : null;
        sharedGate = f.isMoe() ? kernels.allocate(tokens) : null;
        chosenExperts = new int[tokens * used];
        chosenWeights = new float[tokens * used];
        expertRows = new int[tokens];
        expertScales = new float[tokens];
    }

    boolean fits(int batchTokens, int batchLogitRows) {
        return batchTokens <= tokens && batchLogitRows <= logitRows;
    }
}
