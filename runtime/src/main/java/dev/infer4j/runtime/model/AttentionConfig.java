package dev.infer4j.runtime.model;

import dev.infer4j.kernels.Attention;
import dev.infer4j.kernels.AttentionMethod;
import dev.infer4j.kernels.Rope;

/**
 * How a model's attention blocks work.
 *
 * @param headCount            query heads
 * @param kvHeadCount          K/V heads (fewer than query heads: grouped-query attention)
 * @param keyLength            values per query/key head
 * @param valueLength          values per value head
 * @param rope                 rotary embedding of global layers
 * @param localRope            rotary embedding of sliding-window layers (Gemma 3 uses another base)
 * @param qkvBias              Q, K and V projections have biases (Qwen 2)
 * @param qkNorm               Q and K get a per-head RMSNorm before RoPE (Qwen 3, Gemma 3)
 * @param fusedQkv             the file stores Q, K and V as one {@code attn_qkv} matrix (Phi-3)
 * @param queryScale           Q is multiplied by this after RoPE and the scores are not scaled again (Gemma),
 *                             or 0 for the usual {@code 1/sqrt(keyLength)} on the scores
 * @param softCap              attention logit soft-capping constant, 0 for none (Gemma 2)
 * @param slidingWindow        window of sliding-window layers, 0 for none
 * @param slidingWindowPattern layer {@code l} slides when {@code l % pattern < pattern - 1}; 0 when no layer does
 */
public record AttentionConfig(int headCount, int kvHeadCount, int keyLength, int valueLength, Rope rope, Rope localRope,
                              boolean qkvBias, boolean qkNorm, boolean fusedQkv, float queryScale, float softCap,
                              int slidingWindow, int slidingWindowPattern) {

    /** Whether layer {@code layer} attends through a sliding window. */
    public boolean isSliding(int layer) {
        return slidingWindow > 0 && slidingWindowPattern > 0
                && layer % slidingWindowPattern < slidingWindowPattern - 1;
    }

    /** The rotary embedding of layer {@code layer}. */
    public Rope ropeFor(int layer) {
        return isSliding(layer) ? localRope : rope;
    }

    /** The kernel parameters of layer {@code layer}, computed with {@code method}. */
    public Attention kernelParams(int layer, AttentionMethod method) {
        float scale = queryScale != 0 ? 1.0f : (float) (1.0 / Math.sqrt(keyLength));
        return new Attention(headCount, scale, softCap, isSliding(layer) ? slidingWindow : 0, method);
    }
}
