package dev.infer4j.kernels;

/**
 * How attention turns scores into a weighted sum of values. The two give the same mathematical result but round
 * differently, and llama.cpp uses either depending on its flash-attention setting; a reference is matched only
 * with the method that produced it.
 */
public enum AttentionMethod {
    /**
     * All scores first, then a softmax accumulated in double, then the weighted sum of values. With an F16 cache the
     * query and the probabilities are rounded to half before their products. This is llama.cpp's path with flash
     * attention off.
     */
    SOFTMAX,
    /**
     * One pass with an online softmax: the running weighted sum is rescaled whenever a larger score appears and is
     * divided by the running normaliser at the end. With an F16 cache the query is rounded to half and the running
     * sum is kept in half precision, rounded after every update. This is ggml's CPU flash attention, which
     * llama.cpp's server uses by default.
     */
    FLASH
}
