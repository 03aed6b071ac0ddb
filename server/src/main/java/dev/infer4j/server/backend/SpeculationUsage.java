package dev.infer4j.server.backend;

/**
 * How speculative decoding went for one generation (or the choices of one request, summed).
 *
 * @param draftedTokens  tokens proposed (by a draft model or n-gram lookup) and verified by the target
 * @param acceptedTokens proposals the target accepted
 * @param decodeSteps    target forward passes that produced tokens for the generation
 * @param decodeTokens   tokens those passes produced (accepted proposals plus one sampled token each)
 */
public record SpeculationUsage(long draftedTokens, long acceptedTokens, long decodeSteps, long decodeTokens) {

    /** Checks the counts are consistent. */
    public SpeculationUsage {
        if (draftedTokens < 0 || acceptedTokens < 0 || acceptedTokens > draftedTokens || decodeSteps < 0
                || decodeTokens < 0) {
            throw new IllegalArgumentException("inconsistent speculation counts: drafted " + draftedTokens
                    + ", accepted " + acceptedTokens + ", decode steps " + decodeSteps + ", decode tokens "
                    + decodeTokens);
        }
    }

    /** Share of proposals accepted, 0 before any was made. */
    public double acceptanceRate() {
        return draftedTokens == 0 ? 0 : (double) acceptedTokens / draftedTokens;
    }

    /** Tokens produced per target forward pass, 0 before any pass. */
    public double tokensPerStep() {
        return decodeSteps == 0 ? 0 : (double) decodeTokens / decodeSteps;
    }

    /** These counts and another generation's together. */
    public SpeculationUsage plus(SpeculationUsage other) {
        return new SpeculationUsage(draftedTokens + other.draftedTokens, acceptedTokens + other.acceptedTokens,
                decodeSteps + other.decodeSteps, decodeTokens + other.decodeTokens);
    }
}
