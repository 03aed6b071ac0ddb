package dev.infer4j.runtime.model;

import dev.infer4j.kernels.Weight;

import java.util.List;

/**
 * A model's weights, read in place from its file.
 *
 * @param tokenEmbedding embedding table, one row per token
 * @param outputNorm     final RMSNorm
 * @param output         output projection; the embedding table itself when the model ties them
 * @param layers         the transformer layers
 */
public record ModelWeights(Weight tokenEmbedding, Weight outputNorm, Weight output, List<LayerWeights> layers) {
    /** Copies the list. */
    public ModelWeights {
        layers = List.copyOf(layers);
    }
}
