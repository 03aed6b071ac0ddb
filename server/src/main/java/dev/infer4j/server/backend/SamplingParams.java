package dev.infer4j.server.backend;

import java.util.Map;
import java.util.OptionalLong;

/**
 * How to pick each token. The server has validated every range before building one.
 *
 * @param temperature       0 means greedy
 * @param topP              nucleus mass, in (0, 1]; 1 disables
 * @param topK              keep the k most likely; 0 disables
 * @param minP              drop tokens below {@code minP * p(max)}; 0 disables
 * @param typicalP          locally typical sampling mass, in (0, 1]; 1 disables
 * @param repetitionPenalty divide positive logits (multiply negative ones) of tokens already seen; 1 disables
 * @param presencePenalty   subtracted once from the logit of every token already generated, -2 to 2
 * @param frequencyPenalty  subtracted per occurrence from the logit of generated tokens, -2 to 2
 * @param logitBias         token id to a bias added to its logit, -100 to 100
 * @param seed              seed of the sampling random generator; empty for a random seed
 */
public record SamplingParams(double temperature, double topP, int topK, double minP, double typicalP,
                             double repetitionPenalty, double presencePenalty, double frequencyPenalty,
                             Map<Integer, Double> logitBias, OptionalLong seed) {
    public SamplingParams {
        logitBias = Map.copyOf(logitBias);
        if (seed == null) {
            throw new NullPointerException("seed");
        }
    }
}
