package dev.infer4j.runtime.model;

import dev.infer4j.kernels.Weight;

/**
 * One transformer layer's weights. Which optional ones are present follows the {@link ModelConfig} switches:
 * biases with {@code qkvBias}, Q/K norms with {@code qkNorm}, post norms with {@code postNorms}, and either the
 * dense FFN ({@code gate}, {@code up}, {@code down}) or {@code experts}. Absent weights are {@code null}.
 *
 * @param attentionNorm     RMSNorm before attention
 * @param query             Q projection
 * @param key               K projection
 * @param value             V projection
 * @param queryBias         Q bias
 * @param keyBias           K bias
 * @param valueBias         V bias
 * @param queryNorm         per-head Q RMSNorm
 * @param keyNorm           per-head K RMSNorm
 * @param attentionOutput   output projection of attention
 * @param postAttentionNorm RMSNorm of the attention output before the residual add
 * @param ffnNorm           RMSNorm before the FFN
 * @param gate              dense FFN gate projection
 * @param up                dense FFN up projection
 * @param down              dense FFN down projection
 * @param postFfnNorm       RMSNorm of the FFN output before the residual add
 * @param experts           the mixture of experts
 */
public record LayerWeights(Weight attentionNorm, Weight query, Weight key, Weight value, Weight queryBias,
                           Weight keyBias, Weight valueBias, Weight queryNorm, Weight keyNorm, Weight attentionOutput,
                           Weight postAttentionNorm, Weight ffnNorm, Weight gate, Weight up, Weight down,
                           Weight postFfnNorm, ExpertWeights experts) {
}
