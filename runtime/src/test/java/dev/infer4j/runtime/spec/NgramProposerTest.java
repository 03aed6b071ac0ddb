package dev.infer4j.runtime.spec;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class NgramProposerTest {
    private final NgramProposer proposer = new NgramProposer(1, 3);

    private int[] propose(int max, int... tokens) {
        int[] out = new int[max];
        return Arrays.copyOf(out, proposer.propose(tokens, tokens.length, max, out));
    }

    @Test
    void theLongestMatchingSuffixWinsOverAShorterLaterOne() {
        // suffix "1 2 3" matched at 0 (followed by 4 5); "3" alone would match later at index 6 (followed by 9)
        assertArrayEquals(new int[]{4, 5, 3, 9}, propose(4, 1, 2, 3, 4, 5, 3, 9, 1, 2, 3));
    }

    @Test
    void theLatestOccurrenceIsUsedAndProposalsStopAtTheEnd() {
        assertArrayEquals(new int[]{8, 7}, propose(4, 7, 1, 7, 8, 7));
        assertArrayEquals(new int[]{8}, propose(1, 7, 1, 7, 8, 7));
    }

    @Test
    void nothingMatchesNothingIsProposed() {
        assertEquals(0, propose(4, 1, 2, 3, 4).length);
        assertEquals(0, propose(4, 5).length);
    }
}
