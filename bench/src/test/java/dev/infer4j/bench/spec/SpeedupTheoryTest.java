package dev.infer4j.bench.spec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpeedupTheoryTest {
    @Test
    void matchesTheClosedFormAtHandComputedPoints() {
        // alpha 0.8, K 4: (1 - 0.8^5) / 0.2 = (1 - 0.32768) / 0.2 = 3.3616 tokens per step
        assertEquals(3.3616, SpeedupTheory.tokensPerStep(0.8, 4), 1e-12, "tokens per step at a=0.8, K=4");
        // over 1 + 4 * 0.05 = 1.2
        assertEquals(3.3616 / 1.2, SpeedupTheory.speedup(0.8, 4, 0.05), 1e-12, "speedup at a=0.8, K=4, c=0.05");
        // alpha 0.5, K 2, c 0.25: (1 - 0.125) / 0.5 / 1.5 = 1.75 / 1.5
        assertEquals(1.75 / 1.5, SpeedupTheory.speedup(0.5, 2, 0.25), 1e-12, "speedup at a=0.5, K=2, c=0.25");
    }

    @Test
    void edgeCasesReduceToTheirLimits() {
        assertEquals(1.0, SpeedupTheory.tokensPerStep(0, 7), 1e-12, "nothing accepted: one token per step");
        assertEquals(1.0 / 1.7, SpeedupTheory.speedup(0, 7, 0.1), 1e-12, "nothing accepted only costs drafts");
        assertEquals(5.0, SpeedupTheory.tokensPerStep(1, 4), 1e-12, "everything accepted: K + 1 per step");
        assertEquals(5.0 / 1.4, SpeedupTheory.speedup(1, 4, 0.1), 1e-12, "everything accepted at c=0.1");
        assertEquals(SpeedupTheory.tokensPerStep(1, 4), SpeedupTheory.tokensPerStep(1 - 1e-9, 4), 1e-6,
                "the alpha=1 case continues the formula");
        assertEquals(1.0, SpeedupTheory.speedup(0.9, 0, 0.3), 1e-12, "K=0 is plain decoding");
    }

    @Test
    void rejectsImpossibleInputs() {
        assertThrows(IllegalArgumentException.class, () -> SpeedupTheory.speedup(1.1, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> SpeedupTheory.speedup(Double.NaN, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> SpeedupTheory.speedup(0.5, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> SpeedupTheory.speedup(0.5, 4, -0.1));
    }
}
