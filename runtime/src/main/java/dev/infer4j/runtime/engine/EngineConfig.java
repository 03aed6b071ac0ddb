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
 * @param warmUp           run {@link dev.infer4j.runtime.model.ModelWarmUp} on the model (and a draft model) before
 *                         the engine takes requests, as llama.cpp does at start-up, so that the first request does
 *                         not pay for the JIT
 */
public record EngineConfig(int contextLength, int maxSequences, int tokenBudget, int kvTokens, int maxWaiting,
                           int threads, boolean warmUp) {

    /** Validates the numbers. */
    public EngineConfig {
        if (contextLength < 0 || maxSequences < 1 || tokenBudget < 1 || kvTokens < 0 || maxWaiting < 0 || threads < 0) {
            throw new IllegalArgumentException("engine limits must be positive (0 = automatic where allowed)");
        }
    }

    /** An engine without the start-up warm-up. */
    public EngineConfig(int contextLength, int maxSequences, int tokenBudget, int kvTokens, int maxWaiting,
                        int threads) {
        this(contextLength, maxSequences, tokenBudget, kvTokens, maxWaiting, threads, false);
    }

    /** Defaults for one user: model context, 4 sequences, 512-token steps, 64 waiting, all cores. */
    public static EngineConfig defaults() {
        return new EngineConfig(0, 4, 512, 0, 64, 0);
    }

    /** The same with another context length. */
    public EngineConfig withContextLength(int n) {
        return new EngineConfig(n, maxSequences, tokenBudget, kvTokens, maxWaiting, threads, warmUp);
    }

    /** The same with another sequence count. */
    public EngineConfig withMaxSequences(int n) {
        return new EngineConfig(contextLength, n, tokenBudget, kvTokens, maxWaiting, threads, warmUp);
    }

    /** The same with the start-up warm-up on or off. */
    public EngineConfig withWarmUp(boolean on) {
        return new EngineConfig(contextLength, maxSequences, tokenBudget, kvTokens, maxWaiting, threads, on);
    }
}
