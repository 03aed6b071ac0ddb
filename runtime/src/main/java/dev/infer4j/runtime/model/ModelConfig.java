package dev.infer4j.runtime.model;

/**
 * Everything that shapes a model's forward pass, read from GGUF metadata by {@link ModelConfigReader}.
 *
 * @param architecture    the architecture
 * @param name            {@code general.name}, or the architecture name
 * @param embeddingLength width of the residual stream
 * @param layerCount      transformer layers
 * @param vocabSize       rows of the embedding table and of the logits
 * @param contextLength   trained context length
 * @param normEps         RMSNorm epsilon
 * @param embeddingScale  multiplier of the looked-up embeddings (Gemma: sqrt(width)), 1 for none
 * @param postNorms       attention and FFN outputs get their own RMSNorm before the residual add (Gemma)
 * @param finalSoftCap    soft-capping of the output logits, 0 for none (Gemma 2)
 * @param attention       attention blocks
 * @param feedForward     feed-forward blocks
 */
public record ModelConfig(Architecture architecture, String name, int embeddingLength, int layerCount, int vocabSize,
                          int contextLength, float normEps, float embeddingScale, boolean postNorms,
                          float finalSoftCap, AttentionConfig attention, FeedForwardConfig feedForward) {
}
