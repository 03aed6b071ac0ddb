package dev.infer4j.runtime.spec;

import dev.infer4j.runtime.sampling.SplitMix64;

/**
 * The arithmetic of speculative sampling over probability rows: the residual draw after a rejection, draws from a
 * row, and the draft's confidence in a token.
 */
public final class SpeculativeSampling {
    private SpeculativeSampling() {
    }

    /**
     * The token that replaces a rejected proposal: a draw from {@code norm(max(0, p - q))}. When rounding leaves
     * no mass (p and q equal), it draws from p.
     *
     * @param p       the target's distribution, {@code vocab} entries from 0
     * @param q       holds the draft's distribution at {@code qOffset}
     */
    public static int residualToken(double[] p, double[] q, int qOffset, int vocab, SplitMix64 random) {
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.max(0, p[i] - q[qOffset + i]);
        }
        if (!(sum > 0)) {
            return draw(p, 0, vocab, random);
        }
        double target = random.nextDouble() * sum;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            double r = p[i] - q[qOffset + i];
            if (r > 0) {
                cumulative += r;
                last = i;
                if (cumulative > target) {
                    return i;
                }
            }
        }
        return last;
    }

    /** The residual draw when the draft is a point mass on {@code proposed}: p without it, renormalised. */
    public static int residualOfPointMass(double[] p, int proposed, int vocab, SplitMix64 random) {
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += i == proposed ? 0 : p[i];
        }
        if (!(sum > 0)) {
            return draw(p, 0, vocab, random);
        }
        double target = random.nextDouble() * sum;
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            if (i != proposed && p[i] > 0) {
                cumulative += p[i];
                last = i;
                if (cumulative > target) {
                    return i;
                }
            }
        }
        return last;
    }

    /**
     * A draw from the probabilities {@code probs[offset, offset + vocab)}; a one-hot row returns its token
     * without drawing.
     */
    public static int draw(double[] probs, int offset, int vocab, SplitMix64 random) {
        int only = -1;
        for (int i = 0; i < vocab; i++) {
            if (probs[offset + i] > 0) {
                if (only >= 0) {
                    only = -2;
                    break;
                }
                only = i;
            }
        }
        if (only >= 0) {
            return only;
        }
        if (only == -1) {
            throw new IllegalArgumentException("a distribution with no mass");
        }
        double target = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < vocab; i++) {
            double w = probs[offset + i];
            if (w > 0) {
                cumulative += w;
                last = i;
                if (cumulative > target) {
                    return i;
                }
            }
        }
        return last;
    }

    /** The probability of {@code token} under the softmax of a raw logit row (temperature 1, no filters). */
    public static double confidence(float[] logits, int offset, int vocab, int token) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp((double) logits[offset + i] - max);
        }
        return Math.exp((double) logits[offset + token] - max) / sum;
    }
}
