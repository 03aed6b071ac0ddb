package dev.infer4j.runtime.spec;

/**
 * Prompt-lookup proposals: the sequence's last {@code n} tokens (longest first) are searched for earlier in the
 * sequence, latest occurrence first, and the tokens that followed that occurrence are proposed. The proposal is a
 * deterministic function of the text so far, so its draft distribution is a point mass.
 */
public final class NgramProposer {
    private final int minMatch;
    private final int maxMatch;

    /** A proposer trying suffixes of {@code maxMatch} down to {@code minMatch} tokens. */
    public NgramProposer(int minMatch, int maxMatch) {
        if (minMatch < 1 || maxMatch < minMatch) {
            throw new IllegalArgumentException("need 1 <= minMatch <= maxMatch, got " + minMatch + ", " + maxMatch);
        }
        this.minMatch = minMatch;
        this.maxMatch = maxMatch;
    }

    /**
     * Proposes up to {@code max} tokens to follow {@code tokens[0, length)}.
     *
     * @param out receives the proposals from index 0
     * @return how many were proposed (0 when no suffix matches earlier text)
     */
    public int propose(int[] tokens, int length, int max, int[] out) {
        for (int n = Math.min(maxMatch, length - 1); n >= minMatch; n--) {
            int suffix = length - n;
            // a match must be followed by at least one token before the suffix starts over
            for (int start = suffix - 1; start >= 0; start--) {
                if (matches(tokens, start, suffix, n)) {
                    int from = start + n;
                    int count = Math.min(max, length - from);
                    System.arraycopy(tokens, from, out, 0, count);
                    return count;
                }
            }
        }
        return 0;
    }

    private static boolean matches(int[] tokens, int a, int b, int n) {
        for (int i = 0; i < n; i++) {
            if (tokens[a + i] != tokens[b + i]) {
                return false;
            }
        }
        return true;
    }
}
