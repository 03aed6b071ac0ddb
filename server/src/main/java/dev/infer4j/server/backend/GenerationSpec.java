package dev.infer4j.server.backend;

import java.util.List;

/**
 * One generation to run. Arrays are copied on construction and must not be modified by the engine.
 *
 * @param promptTokens   the prompt, already tokenized by the server (it needs the count to check the context size)
 * @param sampling       sampling parameters
 * @param stopStrings    generation stops when the output contains one of them; the stop string itself and
 *                       anything after it are not sent
 * @param stopTokenIds   generation stops after one of these ids (not sent as text)
 * @param maxTokens      at most this many tokens are generated; the server guarantees
 *                       {@code promptTokens.length + maxTokens <= contextLength}
 * @param minTokens      end of sequence and stop token ids are suppressed until this many tokens were generated
 * @param ignoreEos      keep generating past the end of sequence token (until {@code maxTokens} or a stop)
 * @param logprobs       -1: no log-probabilities; 0: the sampled token's only; k > 0: also the top k alternatives
 * @param echo           send a {@link PromptTokens} event with the prompt tokens' log-probabilities first
 */
public record GenerationSpec(int[] promptTokens, SamplingParams sampling, List<String> stopStrings,
                             int[] stopTokenIds, int maxTokens, int minTokens, boolean ignoreEos, int logprobs,
                             boolean echo) {
    public GenerationSpec {
        promptTokens = promptTokens.clone();
        stopTokenIds = stopTokenIds.clone();
        stopStrings = List.copyOf(stopStrings);
        if (sampling == null) {
            throw new NullPointerException("sampling");
        }
        if (maxTokens < 0 || minTokens < 0 || logprobs < -1) {
            throw new IllegalArgumentException("maxTokens " + maxTokens + ", minTokens " + minTokens
                    + ", logprobs " + logprobs + " out of range");
        }
    }
}
