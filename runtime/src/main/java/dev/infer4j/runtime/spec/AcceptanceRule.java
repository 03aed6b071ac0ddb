package dev.infer4j.runtime.spec;

import dev.infer4j.runtime.sampling.SplitMix64;

/**
 * Decides whether a proposed token is accepted, given its probability under the target's sampling distribution
 * and under the distribution it was drafted from, and which token replaces it when it is not. Both halves belong
 * to one rule: the output keeps the target's distribution only if the replacement comes from the residual
 * {@code norm(max(0, p - q))} of exactly this acceptance test.
 */
@FunctionalInterface
public interface AcceptanceRule {

    /**
     * The speculative sampling rule: accept with probability {@code min(1, p / q)}. Draws a random number only
     * when {@code 0 < p < q}, so greedy verification (p and q one-hot) uses none.
     */
    AcceptanceRule SPECULATIVE_SAMPLING = (p, q, random) -> p >= q || (p > 0 && random.nextDouble() * q < p);

    /**
     * @param targetProbability the proposal's probability under the target (after every sampling filter)
     * @param draftProbability  its probability under the draft distribution it was drawn from
     * @param random            the sequence's speculation random stream
     */
    boolean accepts(double targetProbability, double draftProbability, SplitMix64 random);

    /**
     * The token that replaces a rejected proposal: a draw from the residual {@code norm(max(0, p - q))}
     * ({@link SpeculativeSampling#residualToken}), or from p without the proposal when the draft was a point mass
     * on it ({@link SpeculativeSampling#residualOfPointMass}).
     *
     * @param p        the target's distribution, {@code vocab} entries from 0
     * @param q        holds the draft's distribution at {@code qOffset}; null when the draft was a point mass on
     *                 {@code proposed} (n-gram lookup)
     * @param proposed the rejected proposal
     */
    default int replacement(double[] p, double[] q, int qOffset, int proposed, int vocab, SplitMix64 random) {
        return q == null ? SpeculativeSampling.residualOfPointMass(p, proposed, vocab, random)
                : SpeculativeSampling.residualToken(p, q, qOffset, vocab, random);
    }
}
