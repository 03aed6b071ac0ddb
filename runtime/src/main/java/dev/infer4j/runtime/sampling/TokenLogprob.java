package dev.infer4j.runtime.sampling;

/**
 * One token and its log-probability under the raw model distribution.
 *
 * @param token   the token id
 * @param logprob natural-log probability, {@code <= 0}
 */
public record TokenLogprob(int token, float logprob) {
}
