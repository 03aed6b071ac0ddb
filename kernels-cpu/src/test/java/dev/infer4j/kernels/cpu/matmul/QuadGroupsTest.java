package dev.infer4j.kernels.cpu.matmul;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link QuadGroups#slot} gives every token's every group its own slot, packed without gaps, and walks one token's
 * groups with a stride of {@link QuadGroups#quadWidth}: four in a full quad, the tokens there are in a last short
 * one, so a lone token's groups lie side by side.
 */
class QuadGroupsTest {

    @ParameterizedTest(name = "{0} tokens")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8, 9})
    void slotsAreDistinctGapFreeAndStridedByTheQuadWidth(int tokens) {
        int groups = 5;
        boolean[] taken = new boolean[tokens * groups];
        for (int t = 0; t < tokens; t++) {
            int width = QuadGroups.quadWidth(t, tokens);
            assertEquals(t < tokens / 4 * 4 ? 4 : tokens % 4, width, "quad width of token " + t);
            for (int g = 0; g < groups; g++) {
                int slot = QuadGroups.slot(t, g, groups, tokens);
                assertTrue(slot >= 0 && slot < taken.length, "token " + t + " group " + g + ": slot " + slot);
                assertTrue(!taken[slot], "token " + t + " group " + g + ": slot " + slot + " taken twice");
                taken[slot] = true;
                assertEquals(QuadGroups.slot(t, 0, groups, tokens) + g * width, slot, "stride of token " + t);
            }
        }
    }
}
