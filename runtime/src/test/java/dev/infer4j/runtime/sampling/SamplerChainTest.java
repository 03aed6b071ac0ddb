package dev.infer4j.runtime.sampling;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact distributions of each stage on hand-made rows. Most rows are {@code ln} of small integers, so the
 * softmax of the row is those integers over their sum and every expected value below is worked out by hand.
 */
class SamplerChainTest {

    private static final int[] NO_EOG = {};
    private static final double TOLERANCE = 1e-6;

    /** Every filter and penalty off, temperature 1: the plain softmax. */
    private static SamplingParams.Builder plain() {
        return SamplingParams.builder().temperature(1).topK(0).topP(1).minP(0).typicalP(1).seed(1);
    }

    /** A row whose softmax is proportional to {@code weights} (0 gives -Infinity). */
    private static float[] lnOf(double... weights) {
        float[] row = new float[weights.length];
        for (int i = 0; i < weights.length; i++) {
            row[i] = weights[i] == 0 ? Float.NEGATIVE_INFINITY : (float) Math.log(weights[i]);
        }
        return row;
    }

    private static double[] distribution(SamplingParams params, float[] row, TokenHistory history, int... eog) {
        SamplerChain chain = new SamplerChain(params, eog, row.length);
        double[] p = new double[row.length];
        chain.distribution(row, 0, row.length, history, p);
        return p;
    }

    private static double[] distribution(SamplingParams params, float[] row) {
        return distribution(params, row, new TokenHistory(64));
    }

    private static void assertDistribution(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > TOLERANCE) {
                throw new AssertionError(what + ": token " + i + " has probability " + actual[i] + ", expected "
                        + expected[i] + "\n expected " + Arrays.toString(expected) + "\n actual   "
                        + Arrays.toString(actual));
            }
        }
    }

    // --- each stage on its own ---

    @Test
    void plainChainIsTheSoftmax() {
        assertDistribution(new double[] {0.1, 0.2, 0.3, 0.4}, distribution(plain().build(), lnOf(1, 2, 3, 4)),
                "softmax of ln(1..4)");
    }

    @Test
    void logitBiasIsAddedToTheRawLogitAndMinusInfinityBans() {
        // ln2 + ln3 = ln6 for token 1; token 3 banned: weights 1, 6, 3, 0 over 10
        SamplingParams p = plain().logitBias(Map.of(1, (float) Math.log(3), 3, Float.NEGATIVE_INFINITY)).build();
        assertDistribution(new double[] {0.1, 0.6, 0.3, 0}, distribution(p, lnOf(1, 2, 3, 4)), "logit bias");
    }

    @Test
    void topKKeepsTheKMostLikelyAndRenormalises() {
        SamplingParams p = plain().topK(2).build();
        assertDistribution(new double[] {0, 0, 3 / 7.0, 4 / 7.0}, distribution(p, lnOf(1, 2, 3, 4)), "top-k 2");
        assertDistribution(new double[] {0.1, 0.2, 0.3, 0.4},
                distribution(plain().topK(10).build(), lnOf(1, 2, 3, 4)), "top-k larger than the vocabulary");
    }

    @Test
    void topKBreaksTiesAtTheBoundaryByLowestId() {
        // tokens 1, 2 and 3 tie; k = 2 keeps 0 and 1
        SamplingParams p = plain().topK(2).build();
        assertDistribution(new double[] {4 / 6.0, 2 / 6.0, 0, 0}, distribution(p, lnOf(4, 2, 2, 2)), "tie at k");
    }

    @Test
    void topPKeepsTheShortestPrefixReachingP() {
        // probabilities .4 .3 .2 .1 sorted: cumulative .4 .7 .9 1
        assertDistribution(new double[] {0, 0, 3 / 7.0, 4 / 7.0},
                distribution(plain().topP(0.7f).build(), lnOf(1, 2, 3, 4)), "top-p 0.7 (reached exactly)");
        assertDistribution(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0},
                distribution(plain().topP(0.75f).build(), lnOf(1, 2, 3, 4)), "top-p 0.75");
        assertDistribution(new double[] {0, 0, 0, 1},
                distribution(plain().topP(0f).build(), lnOf(1, 2, 3, 4)), "top-p 0 keeps one token");
    }

    @Test
    void topPHonoursMinKeep() {
        // .4 alone reaches 0.3, but three tokens must stay
        SamplingParams p = plain().topP(0.3f).minKeep(3).build();
        assertDistribution(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0}, distribution(p, lnOf(1, 2, 3, 4)),
                "top-p 0.3, min-keep 3");
    }

    @Test
    void minPDropsTokensBelowAFractionOfTheBest() {
        // best .4: min-p 0.6 keeps p >= .24, min-p 0.3 keeps p >= .12
        assertDistribution(new double[] {0, 0, 3 / 7.0, 4 / 7.0},
                distribution(plain().minP(0.6f).build(), lnOf(1, 2, 3, 4)), "min-p 0.6");
        assertDistribution(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0},
                distribution(plain().minP(0.3f).build(), lnOf(1, 2, 3, 4)), "min-p 0.3");
    }

    @Test
    void minPHonoursMinKeepThroughTheSortedPath() {
        // only .4 passes 0.9 * .4, min-keep 2 adds the next most likely (.3)
        SamplingParams p = plain().minP(0.9f).minKeep(2).build();
        assertDistribution(new double[] {0, 0, 3 / 7.0, 4 / 7.0}, distribution(p, lnOf(1, 2, 3, 4)),
                "min-p 0.9, min-keep 2");
    }

    @Test
    void typicalPKeepsTokensWhoseSurpriseIsClosestToTheEntropy() {
        // p = .1 .2 .3 .4; H = -sum p ln p = 1.279854; |-ln p - H| = 1.022731, 0.329584, 0.075881, 0.363563
        // so the typical order is token 2 (.3), 1 (.2), 3 (.4), 0 (.1); cumulative .3 .5 .9 1
        double h = -(0.1 * Math.log(0.1) + 0.2 * Math.log(0.2) + 0.3 * Math.log(0.3) + 0.4 * Math.log(0.4));
        assertEquals(1.279854, h, 1e-6, "hand-computed entropy");
        assertDistribution(new double[] {0, 2 / 5.0, 3 / 5.0, 0},
                distribution(plain().typicalP(0.45f).build(), lnOf(1, 2, 3, 4)), "typical-p 0.45");
        assertDistribution(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0},
                distribution(plain().typicalP(0.6f).build(), lnOf(1, 2, 3, 4)), "typical-p 0.6");
        // .3 alone exceeds 0.2, but min-keep 3 carries on to the third typical token
        assertDistribution(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0},
                distribution(plain().typicalP(0.2f).minKeep(3).build(), lnOf(1, 2, 3, 4)),
                "typical-p 0.2 with min-keep 3");
    }

    @Test
    void temperatureScalesTheLogitsAfterTheFilters() {
        // T = 0.5 squares the weights: 1 4 9 16 over 30; T = 2 takes their square roots
        assertDistribution(new double[] {1 / 30.0, 4 / 30.0, 9 / 30.0, 16 / 30.0},
                distribution(plain().temperature(0.5f).build(), lnOf(1, 2, 3, 4)), "temperature 0.5");
        double s = 1 + Math.sqrt(2) + Math.sqrt(3) + 2;
        assertDistribution(new double[] {1 / s, Math.sqrt(2) / s, Math.sqrt(3) / s, 2 / s},
                distribution(plain().temperature(2f).build(), lnOf(1, 2, 3, 4)), "temperature 2");
    }

    // --- the order of the stages ---

    @Test
    void minPSeesProbabilitiesBeforeTemperature() {
        // at T = 1 min-p 0.6 keeps tokens 2 and 3; T = 0.5 then squares them: 9 and 16 over 25.
        // Were temperature applied first, min-p 0.6 of 16/30 would keep token 3 alone.
        SamplingParams p = plain().minP(0.6f).temperature(0.5f).build();
        assertDistribution(new double[] {0, 0, 9 / 25.0, 16 / 25.0}, distribution(p, lnOf(1, 2, 3, 4)),
                "min-p then temperature");
    }

    @Test
    void topPSeesTheDistributionRenormalisedAfterTopK() {
        // top-k 2 leaves 3/7 and 4/7; top-p 0.5 is reached by 4/7 alone. Without top-k, .4 < .5 keeps two.
        assertDistribution(new double[] {0, 0, 0, 1},
                distribution(plain().topK(2).topP(0.5f).build(), lnOf(1, 2, 3, 4)), "top-k then top-p");
        assertDistribution(new double[] {0, 0, 3 / 7.0, 4 / 7.0},
                distribution(plain().topP(0.5f).build(), lnOf(1, 2, 3, 4)), "top-p alone");
    }

    @Test
    void biasComesBeforeTopK() {
        // the bias lifts token 0 from 1 to 8: top-k 2 keeps tokens 0 (8) and 3 (4)
        SamplingParams p = plain().topK(2).logitBias(Map.of(0, (float) Math.log(8))).build();
        assertDistribution(new double[] {8 / 12.0, 0, 0, 4 / 12.0}, distribution(p, lnOf(1, 2, 3, 4)),
                "bias then top-k");
    }

    @Test
    void llamaCppDefaultsCombineEveryStage() {
        // defaults: top-k 40, top-p .95, min-p .05, T .8. Weights 100 50 10 1 0.1:
        // min-p .05 of 100 drops 1 and 0.1; top-p .95 of 161.1 needs 100+50+10 = 160 (.993): keeps three
        SamplingParams p = SamplingParams.defaults().toBuilder().seed(3).build();
        double[] w = {Math.pow(100, 1.25), Math.pow(50, 1.25), Math.pow(10, 1.25)};
        double s = w[0] + w[1] + w[2];
        assertDistribution(new double[] {w[0] / s, w[1] / s, w[2] / s, 0, 0},
                distribution(p, lnOf(100, 50, 10, 1, 0.1)), "llama.cpp defaults");
    }

    // --- penalties ---

    @Test
    void penaltiesFollowLlamaCppAndOpenAiFormulas() {
        float[] row = {2f, -2f, 1f, 0.5f, 0f};
        TokenHistory history = new TokenHistory(64);
        history.addPrompt(new int[] {0, 0, 1, 4});
        SamplingParams p = plain().repeatPenalty(2f).frequencyPenalty(0.5f).presencePenalty(0.25f).build();
        // token 0 (twice): 2 / 2 - (2 * .5 + .25) = -0.25; token 1 (once): -2 * 2 - (.5 + .25) = -4.75;
        // token 4 (once, logit 0 is multiplied): 0 - .75 = -0.75; tokens 2 and 3 untouched
        double[] expected = softmax(-0.25, -4.75, 1, 0.5, -0.75);
        assertDistribution(expected, distribution(p, row, history), "penalised softmax");
    }

    @Test
    void penaltiesLookOnlyAtTheLastNTokens() {
        TokenHistory history = new TokenHistory(8);
        history.addPrompt(new int[] {0, 1});
        history.addGenerated(2);
        history.addGenerated(2);
        SamplingParams p = plain().repeatLastN(2).presencePenalty((float) Math.log(2)).build();
        // only token 2 is in the window; its weight 3 halves
        assertDistribution(new double[] {1 / 8.5, 2 / 8.5, 1.5 / 8.5, 4 / 8.5},
                distribution(p, lnOf(1, 2, 3, 4), history), "window of 2");
        SamplingParams whole = plain().repeatLastN(-1).presencePenalty((float) Math.log(2)).build();
        assertDistribution(new double[] {0.5 / 7, 1 / 7.0, 1.5 / 7, 4 / 7.0},
                distribution(whole, lnOf(1, 2, 3, 4), history), "window -1 is the whole history");
    }

    @Test
    void repeatLastNZeroDisablesEveryPenalty() {
        TokenHistory history = new TokenHistory(8);
        history.addPrompt(new int[] {0, 1, 2, 3});
        SamplingParams p = plain().repeatLastN(0).repeatPenalty(3f).frequencyPenalty(1f).presencePenalty(1f).build();
        assertDistribution(new double[] {0.1, 0.2, 0.3, 0.4}, distribution(p, lnOf(1, 2, 3, 4), history),
                "penalties off");
    }

    @Test
    void penaltiesNeedAHistoryAsLongAsTheirWindow() {
        SamplingParams p = plain().repeatLastN(64).repeatPenalty(1.1f).build();
        SamplerChain chain = new SamplerChain(p, NO_EOG, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> chain.sample(lnOf(1, 2, 3, 4), 0, 4, new TokenHistory(16)));
        assertTrue(e.getMessage().contains("repeatLastN is 64"), e.getMessage());
    }

    // --- end of generation ---

    @Test
    void minTokensMasksEndOfGenerationAndStopTokensUntilReached() {
        SamplingParams p = plain().minTokens(2).stopTokenIds(List.of(2)).build();
        SamplerChain chain = new SamplerChain(p, new int[] {3}, 4);
        TokenHistory history = new TokenHistory(8);
        history.addPrompt(new int[] {0, 0, 0});
        double[] probs = new double[4];
        chain.distribution(lnOf(1, 2, 3, 4), 0, 4, history, probs);
        assertDistribution(new double[] {1 / 3.0, 2 / 3.0, 0, 0}, probs, "no token generated yet");
        history.addGenerated(1);
        chain.distribution(lnOf(1, 2, 3, 4), 0, 4, history, probs);
        assertDistribution(new double[] {1 / 3.0, 2 / 3.0, 0, 0}, probs, "one token generated");
        history.addGenerated(1);
        chain.distribution(lnOf(1, 2, 3, 4), 0, 4, history, probs);
        assertDistribution(new double[] {0.1, 0.2, 0.3, 0.4}, probs, "two tokens generated");
    }

    @Test
    void ignoreEosMasksEndOfGenerationAlwaysButNotStopTokens() {
        SamplingParams p = plain().ignoreEos(true).stopTokenIds(List.of(2)).build();
        TokenHistory history = new TokenHistory(8);
        for (int i = 0; i < 5; i++) {
            history.addGenerated(0);
        }
        assertDistribution(new double[] {1 / 6.0, 2 / 6.0, 3 / 6.0, 0},
                distribution(p, lnOf(1, 2, 3, 4), history, 3), "EOG 3 masked");
    }

    @Test
    void everyTokenMaskedIsAClearError() {
        SamplingParams p = plain().logitBias(Map.of(0, Float.NEGATIVE_INFINITY)).ignoreEos(true).build();
        SamplerChain chain = new SamplerChain(p, new int[] {1}, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> chain.sample(lnOf(1, 1), 0, 2, new TokenHistory(64)));
        assertTrue(e.getMessage().contains("every token is masked"), e.getMessage());
        SamplerChain greedy = new SamplerChain(p.toBuilder().temperature(0).build(), new int[] {1}, 2);
        assertThrows(IllegalStateException.class, () -> greedy.sample(lnOf(1, 1), 0, 2, new TokenHistory(64)));
    }

    // --- greedy ---

    @Test
    void greedyTakesTheArgmaxWithLowestIdOnTies() {
        float[] row = {1f, 5f, 3f, 5f, 5f};
        for (SamplingParams p : List.of(SamplingParams.greedy(), plain().temperature(0).build(),
                plain().temperature(-1).topK(3).topP(0.1f).minP(0.5f).build())) {
            SamplerChain chain = new SamplerChain(p, NO_EOG, row.length);
            assertEquals(1, chain.sample(row, 0, row.length, new TokenHistory(64)), "greedy with " + p);
        }
    }

    @Test
    void greedyHonoursBiasPenaltiesAndMasks() {
        float[] row = {1f, 5f, 3f, 4.5f};
        TokenHistory history = new TokenHistory(64);
        history.addPrompt(1);
        // repeat penalty 2 halves token 1 to 2.5; bias lifts token 2 to 4; token 3 is EOG and masked
        SamplingParams p = SamplingParams.greedy().toBuilder().repeatPenalty(2).ignoreEos(true)
                .logitBias(Map.of(2, 1f)).build();
        SamplerChain chain = new SamplerChain(p, new int[] {3}, row.length);
        assertEquals(2, chain.sample(row, 0, row.length, history));
    }

    @Test
    void greedyRunsTypicalPBecauseItMayDropTheArgmax() {
        // typical-p 0.45 keeps tokens 2 and 1 (see the typical-p test), so the greedy choice is 2, not 3
        SamplingParams p = plain().temperature(0).typicalP(0.45f).build();
        SamplerChain chain = new SamplerChain(p, NO_EOG, 4);
        assertEquals(2, chain.sample(lnOf(1, 2, 3, 4), 0, 4, new TokenHistory(64)));
    }

    // --- rows inside a batch buffer ---

    @Test
    void readsItsRowAtTheOffsetAndLeavesTheBufferUntouched() {
        float[] batch = new float[3 * 4];
        float[] row = lnOf(4, 3, 2, 1);
        System.arraycopy(row, 0, batch, 4, 4);
        float[] before = batch.clone();
        SamplingParams p = plain().logitBias(Map.of(0, -1f)).repeatPenalty(2).build();
        TokenHistory history = new TokenHistory(64);
        history.addPrompt(3);
        double[] probs = new double[4];
        new SamplerChain(p, NO_EOG, 4).distribution(batch, 4, 4, history, probs);
        assertArrayEquals(before, batch, "the logits buffer must not be modified");
        double[] expected = softmax(Math.log(4) - 1, Math.log(3), Math.log(2), 0 /* ln 1 = 0, times 2 */);
        assertDistribution(expected, probs, "row at offset 4");
    }

    static double[] softmax(double... logits) {
        double max = Arrays.stream(logits).max().orElseThrow();
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Test
    void logitBiasAndStopIdsOutsideTheVocabularyAreRejectedByName() {
        InvalidSamplingParameterException e = assertThrows(InvalidSamplingParameterException.class,
                () -> new SamplerChain(plain().logitBias(Map.of(9, 1f)).build(), NO_EOG, 4));
        assertEquals("logitBias", e.parameter());
        assertTrue(e.getMessage().contains("token id 9 is outside the vocabulary of 4"), e.getMessage());
        e = assertThrows(InvalidSamplingParameterException.class,
                () -> new SamplerChain(plain().stopTokenIds(List.of(4)).build(), NO_EOG, 4));
        assertEquals("stopTokenIds", e.parameter());
    }

    @Test
    void aRowOfTheWrongLengthIsRejected() {
        SamplerChain chain = new SamplerChain(plain().build(), NO_EOG, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> chain.sample(new float[5], 0, 5, new TokenHistory(64)));
        assertTrue(e.getMessage().contains("vocabulary of 4"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> chain.sample(new float[6], 3, 4, new TokenHistory(64)));
    }

    @Test
    void aRandomSeedIsPickedAndReportedWhenNoneIsGiven() {
        SamplingParams p = plain().seed(java.util.OptionalLong.empty()).build();
        SamplerChain a = new SamplerChain(p, NO_EOG, 4);
        SamplerChain b = new SamplerChain(p.toBuilder().seed(a.seed()).build(), NO_EOG, 4);
        TokenHistory h = new TokenHistory(64);
        for (int i = 0; i < 50; i++) {
            assertEquals(a.sample(lnOf(1, 2, 3, 4), 0, 4, h), b.sample(lnOf(1, 2, 3, 4), 0, 4, h),
                    "replaying the reported seed, draw " + i);
        }
        assertNotEquals(a.seed(), new SamplerChain(p, NO_EOG, 4).seed(), "two random seeds were equal");
    }
}
