package dev.infer4j.runtime.spec;

import dev.infer4j.runtime.sampling.SplitMix64;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeculativeSamplingTest {

    @Test
    void theResidualDrawsOnlyWhereTheTargetExceedsTheDraftInProportion() {
        double[] p = {0.5, 0.3, 0.2, 0.0};
        double[] q = {0.0, 0.7, 0.1, 0.2};
        // max(0, p - q) = {0.5, 0, 0.1, 0}: tokens 0 and 2 in the ratio 5 : 1
        SplitMix64 random = new SplitMix64(7);
        int[] counts = new int[4];
        int n = 60_000;
        for (int i = 0; i < n; i++) {
            counts[SpeculativeSampling.residualToken(p, q, 0, 4, random)]++;
        }
        assertEquals(0, counts[1] + counts[3], "tokens where p <= q must never be drawn");
        assertEquals(5.0 / 6, counts[0] / (double) n, 0.01, "share of token 0");
    }

    @Test
    void thePointMassResidualIsTheTargetWithoutTheProposal() {
        double[] p = {0.25, 0.5, 0.25};
        SplitMix64 random = new SplitMix64(3);
        int[] counts = new int[3];
        for (int i = 0; i < 40_000; i++) {
            counts[SpeculativeSampling.residualOfPointMass(p, 1, 3, random)]++;
        }
        assertEquals(0, counts[1]);
        assertEquals(0.5, counts[0] / 40_000.0, 0.01);
    }

    @Test
    void theRuleAcceptsWithProbabilityTargetOverDraft() {
        SplitMix64 random = new SplitMix64(11);
        int accepted = 0;
        for (int i = 0; i < 40_000; i++) {
            if (AcceptanceRule.SPECULATIVE_SAMPLING.accepts(0.2, 0.8, random)) {
                accepted++;
            }
        }
        assertEquals(0.25, accepted / 40_000.0, 0.01);
        assertTrue(AcceptanceRule.SPECULATIVE_SAMPLING.accepts(0.5, 0.5, random));
        assertFalse(AcceptanceRule.SPECULATIVE_SAMPLING.accepts(0.0, 1.0, random));
    }

    @Test
    void aOneHotRowIsDrawnWithoutRandomness() {
        assertEquals(2, SpeculativeSampling.draw(new double[]{0, 0, 1, 0}, 0, 4, new SplitMix64(1)));
    }

    @Test
    void confidenceIsTheSoftmaxProbability() {
        float[] logits = {0f, (float) Math.log(3)};
        assertEquals(0.75, SpeculativeSampling.confidence(logits, 0, 2, 1), 1e-6);
    }
}
