package dev.infer4j.runtime.sampling;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TokenLogprobsTest {

    private static final float[] LN_1_TO_4 = {0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};

    private static void assertLogprobs(int[] ids, double[] logprobs, List<TokenLogprob> actual, String what) {
        assertEquals(ids.length, actual.size(), what + ": count in " + actual);
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], actual.get(i).token(), what + ": token at rank " + i + " in " + actual);
            assertEquals(logprobs[i], actual.get(i).logprob(), 1e-5, what + ": logprob at rank " + i);
        }
    }

    @Test
    void logprobsAreTheLogSoftmaxOfTheRawRowSortedWithTiesByLowestId() {
        TokenLogprobs lp = new TokenLogprobs();
        lp.compute(LN_1_TO_4, 0, 4, 1, 3);
        assertEquals(1, lp.token());
        assertEquals(Math.log(0.2), lp.logprob(), 1e-6, "chosen token 1 has probability 0.2");
        assertLogprobs(new int[] {3, 2, 1}, new double[] {Math.log(0.4), Math.log(0.3), Math.log(0.2)}, lp.top(),
                "top 3 of ln(1..4)");

        float[] tied = {5f, 1f, 5f, 1f, 5f, 0f};
        lp.compute(tied, 0, tied.length, 5, 4);
        double logZ = Math.log(3 * Math.exp(5) + 2 * Math.exp(1) + 1);
        assertEquals(-logZ, lp.logprob(), 1e-5);
        assertLogprobs(new int[] {0, 2, 4, 1}, new double[] {5 - logZ, 5 - logZ, 5 - logZ, 1 - logZ}, lp.top(),
                "ties by lowest id");
        assertEquals(2, lp.topToken(1));
        assertEquals(5 - logZ, lp.topLogprob(1), 1e-5);
    }

    @Test
    void fewerAlternativesWhenFewerTokensAreFiniteAndNoneWhenZeroAsked() {
        TokenLogprobs lp = new TokenLogprobs();
        float[] row = {Float.NEGATIVE_INFINITY, 1f, Float.NEGATIVE_INFINITY};
        lp.compute(row, 0, 3, 0, 20);
        assertEquals(Float.NEGATIVE_INFINITY, lp.logprob(), "a masked chosen token");
        assertLogprobs(new int[] {1}, new double[] {0}, lp.top(), "one finite logit");
        lp.compute(LN_1_TO_4, 0, 4, 3, 0);
        assertEquals(0, lp.topCount());
        assertThrows(IllegalArgumentException.class, () -> lp.compute(LN_1_TO_4, 0, 4, 3, 21));
        assertThrows(IllegalArgumentException.class, () -> lp.compute(LN_1_TO_4, 0, 4, 4, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> lp.topToken(0));
    }

    @Test
    void theChainReportsLogprobsOfTheRawLogitsNotOfThePenalisedOnes() {
        // bias and penalty change what is chosen but not the reported log-probabilities
        SamplingParams p = SamplingParams.greedy().toBuilder().logitBias(Map.of(0, 10f)).repeatPenalty(3f)
                .logprobs(2).build();
        float[] batch = new float[8];
        System.arraycopy(LN_1_TO_4, 0, batch, 4, 4);
        TokenHistory history = new TokenHistory(64);
        history.addPrompt(3);
        SamplerChain chain = new SamplerChain(p, new int[0], 4);
        int token = chain.sample(batch, 4, 4, history);
        assertEquals(0, token, "the bias makes token 0 the argmax");
        TokenLogprobs.Snapshot s = chain.lastLogprobs().snapshot();
        assertLogprobs(new int[] {0}, new double[] {Math.log(0.1)}, List.of(s.chosen()), "chosen");
        assertLogprobs(new int[] {3, 2}, new double[] {Math.log(0.4), Math.log(0.3)}, s.top(), "top 2");
    }
}
