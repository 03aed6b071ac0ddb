package dev.infer4j.runtime.engine;

/**
 * How an engine is sized.
 *
 * @param contextLength    most positions one sequence may use; 0 takes the model's own context length
 * @param maxSequences     most sequences decoding together in one step (llama.cpp's {@code --parallel})
 * @param tokenBudget      most tokens one forward pass takes (decodes plus prefill chunks)
 * @param kvTokens         KV cache capacity in token positions shared by all sequences; 0 sizes it to
 *                         {@code contextLength * maxSequences}
 * @param maxWaiting       most requests queued beyond those running; more are refused as overloaded
 * @param threads          compute threads, 0 for one per core
 */
public record EngineConfig(int contextLength, int maxSequences, int tokenBudget, int kvTokens, int maxWaiting,
                           int threads) {

    /** Validates the numbers. */
    public EngineConfig {
        if (contextLength < 0 || maxSequences < 1 || tokenBudget < 1 || kvTokens < 0 || maxWaiting < 0 || threads < 0) {
            throw new IllegalArgumentException("engine limits must be positive (0 = automatic where allowed)");
        }
    }

    /** Defaults for one user: model context, 4 sequences, 512-token steps, 64 waiting, all cores. */
    public static EngineConfig defaults() {
        return new EngineConfig(0, 4, 512, 0, 64, 0);
    }

    /** The same with another context length. */
    public EngineConfig withContextLength(int n) {
        return new EngineConfig(n, maxSequences, tokenBudget, kvTokens, maxWaiting, threads);
    }

    /** The same with another sequence count. */
    public EngineConfig withMaxSequences(int n) {
        return new EngineConfig(contextLength, n, tokenBudget, kvTokens, maxWaiting, threads);
    }
}
