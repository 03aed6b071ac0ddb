package dev.infer4j.runtime.engine;

/**
 * How speculative decoding went, for one request ({@link Usage#speculation()}) or the whole engine
 * ({@link EngineStats#speculation()}). All zero when the engine does not speculate.
 *
 * @param draftedTokens  proposals verified by the target model
 * @param acceptedTokens proposals the target accepted
 * @param decodeSteps    target forward passes in which a decoding sequence produced tokens (one per sequence
 *                       per step)
 * @param decodeTokens   tokens those passes produced (accepted proposals plus one sampled token each)
 */
public record SpeculationCounts(long draftedTokens, long acceptedTokens, long decodeSteps, long decodeTokens) {
    /** No speculation. */
    public static final SpeculationCounts NONE = new SpeculationCounts(0, 0, 0, 0);

    /** Share of proposals accepted (α), 0 before any. */
    public double acceptanceRate() {
        return draftedTokens == 0 ? 0 : (double) acceptedTokens / draftedTokens;
    }

    /** Tokens produced per target forward pass of a decoding sequence, 0 before any. */
    public double tokensPerStep() {
        return decodeSteps == 0 ? 0 : (double) decodeTokens / decodeSteps;
    }
}
