package dev.infer4j.runtime.spec;

import dev.infer4j.runtime.sampling.SplitMix64;

/**
 * Decides whether a proposed token is accepted, given its probability under the target's sampling distribution
 * and under the distribution it was drafted from. After a rejection the token comes from
 * {@link SpeculativeSampling#residualToken}.
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
}
