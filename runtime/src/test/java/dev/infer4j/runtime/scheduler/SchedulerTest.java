package dev.infer4j.runtime.scheduler;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerTest {

    private record Seq(long id, int totalTokens, int computedTokens, int heldBlocks) implements SequenceView {
        static Seq waiting(long id, int promptTokens) {
            return new Seq(id, promptTokens, 0, 0);
        }

        /** A running sequence that has computed all but its newest token, holding exactly the blocks it needs. */
        static Seq decoding(long id, int totalTokens, int blockSize) {
            return new Seq(id, totalTokens, totalTokens - 1, (totalTokens - 1 + blockSize - 1) / blockSize);
        }
    }

    private static final SchedulerConfig CONFIG = new SchedulerConfig(64, 8, 16);

    private static String describe(StepPlan plan) {
        StringBuilder sb = new StringBuilder();
        for (StepPlan.Chunk c : plan.chunks()) {
            sb.append(c.sequenceId()).append(':').append(c.start()).append('+').append(c.length())
                    .append(c.samplesToken() ? "*" : "").append(" b").append(c.newBlocks()).append(' ');
        }
        return sb.append("preempted ").append(plan.preempted()).append(" admitted ").append(plan.admitted()).toString();
    }

    @Test
    void newRequestsAreAdmittedInArrivalOrderWhileTheBudgetLasts() {
        Scheduler s = new Scheduler(CONFIG);
        StepPlan plan = s.plan(List.of(), List.of(Seq.waiting(1, 20), Seq.waiting(2, 30), Seq.waiting(3, 30)), 100);
        assertEquals("1:0+20* b2 2:0+30* b2 3:0+14 b1 preempted [] admitted [1, 2, 3]", describe(plan));
        assertEquals(64, plan.tokenCount());
    }

    @Test
    void aLongPromptIsPrefilledInChunksAcrossSteps() {
        Scheduler s = new Scheduler(CONFIG);
        StepPlan first = s.plan(List.of(), List.of(Seq.waiting(1, 150)), 100);
        assertEquals("1:0+64 b4 preempted [] admitted [1]", describe(first));
        StepPlan second = s.plan(List.of(new Seq(1, 150, 64, 4)), List.of(), 96);
        assertEquals("1:64+64 b4 preempted [] admitted []", describe(second));
        StepPlan last = s.plan(List.of(new Seq(1, 150, 128, 8)), List.of(), 92);
        assertEquals("1:128+22* b2 preempted [] admitted []", describe(last));
    }

    @Test
    void decodesGoFirstAndPrefillTakesOnlyTheRemainingBudget() {
        Scheduler s = new Scheduler(CONFIG);
        List<Seq> running = List.of(Seq.decoding(1, 10, 16), Seq.decoding(2, 17, 16));
        StepPlan plan = s.plan(running, List.of(Seq.waiting(3, 100)), 100);
        // sequence 2 needs a second block for position 16; the prompt gets 64 - 2 tokens.
        assertEquals("1:9+1* b0 2:16+1* b1 3:0+62 b4 preempted [] admitted [3]", describe(plan));
    }

    @Test
    void theNewestRunningSequenceIsPreemptedWhenAnOlderDecodeNeedsABlock() {
        Scheduler s = new Scheduler(CONFIG);
        List<Seq> running = List.of(Seq.decoding(1, 33, 16), Seq.decoding(2, 20, 16), Seq.decoding(3, 20, 16));
        StepPlan plan = s.plan(running, List.of(), 0);
        // 1 crosses into its third block with none free: 3 (newest) gives back its 2 blocks.
        assertEquals("1:32+1* b1 2:19+1* b0 preempted [3] admitted []", describe(plan));
    }

    @Test
    void aSequenceThatCannotGrowEvenAloneYieldsInsteadOfFailingOthers() {
        Scheduler s = new Scheduler(CONFIG);
        List<Seq> running = List.of(Seq.decoding(1, 20, 16), Seq.decoding(2, 33, 16));
        StepPlan plan = s.plan(running, List.of(), 0);
        assertEquals("1:19+1* b0 preempted [2] admitted []", describe(plan));
    }

    @Test
    void aWaitingRequestThatDoesNotFitBlocksLaterArrivals() {
        Scheduler s = new Scheduler(CONFIG);
        // Only one block free: the 40-token prompt gets a 16-token chunk, and the short one behind it waits.
        StepPlan plan = s.plan(List.of(), List.of(Seq.waiting(1, 40), Seq.waiting(2, 4)), 1);
        assertEquals("1:0+16 b1 preempted [] admitted [1]", describe(plan));
        StepPlan none = s.plan(List.of(), List.of(Seq.waiting(1, 40), Seq.waiting(2, 4)), 0);
        assertTrue(none.isEmpty(), describe(none));
    }

    @Test
    void theBatchNeverExceedsMaxSequences() {
        Scheduler s = new Scheduler(new SchedulerConfig(1000, 3, 16));
        List<Seq> running = List.of(Seq.decoding(1, 5, 16), Seq.decoding(2, 5, 16));
        StepPlan plan = s.plan(running, List.of(Seq.waiting(3, 5), Seq.waiting(4, 5)), 100);
        assertEquals("1:4+1* b0 2:4+1* b0 3:0+5* b1 preempted [] admitted [3]", describe(plan));
    }

    @Test
    void aPreemptedSequenceIsRecomputedWithItsGeneratedTokens() {
        Scheduler s = new Scheduler(CONFIG);
        // Prompt 10 + 7 generated tokens, preempted earlier: all 17 are prefilled again, then it samples.
        StepPlan plan = s.plan(List.of(), List.of(new Seq(5, 17, 0, 0)), 10);
        assertEquals("5:0+17* b2 preempted [] admitted [5]", describe(plan));
    }

    @Test
    void partialBlocksAreFilledBeforeNewOnesAreTaken() {
        Scheduler s = new Scheduler(CONFIG);
        // 20 computed in 2 blocks (12 free slots in the second): 12 more tokens need no new block.
        StepPlan plan = s.plan(List.of(new Seq(1, 32, 20, 2)), List.of(), 0);
        assertEquals("1:20+12* b0 preempted [] admitted []", describe(plan));
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new SchedulerConfig(0, 1, 16));
    }

    /** A decoding sequence that would like {@code proposals} speculative tokens verified with its newest one. */
    private record Speculating(long id, int totalTokens, int computedTokens, int heldBlocks, int speculativeTokens)
            implements SequenceView {
        static Speculating decoding(long id, int totalTokens, int blockSize, int proposals) {
            return new Speculating(id, totalTokens, totalTokens - 1, (totalTokens - 1 + blockSize - 1) / blockSize,
                    proposals);
        }
    }

    @Test
    void aSpeculatingDecodeVerifiesItsProposalsInTheSameChunk() {
        Scheduler s = new Scheduler(CONFIG);
        // computed 9 in one block: the newest token plus 4 proposals fill positions 9..13 of the same block
        StepPlan plan = s.plan(List.of(Speculating.decoding(1, 10, 16, 4)), List.of(), 10);
        assertEquals("1:9+5* b0 preempted [] admitted []", describe(plan));
        // crossing into the next block takes it from the free ones
        StepPlan crossing = s.plan(List.of(Speculating.decoding(1, 15, 16, 4)), List.of(), 10);
        assertEquals("1:14+5* b1 preempted [] admitted []", describe(crossing));
    }

    @Test
    void proposalsShrinkToTheBlocksLeftAndNeverPreemptAnyone() {
        Scheduler s = new Scheduler(CONFIG);
        // no free block: sequence 1 (position 14 of 16) can verify only one proposal; sequence 2 keeps its decode
        List<SequenceView> running = List.of(Speculating.decoding(1, 15, 16, 4), Seq.decoding(2, 5, 16));
        StepPlan plan = s.plan(running, List.of(), 0);
        assertEquals("1:14+2* b0 2:4+1* b0 preempted [] admitted []", describe(plan));
        // the decode of sequence 2 needs the only free block: sequence 1 does not take it for more proposals
        List<SequenceView> tight = List.of(Speculating.decoding(1, 15, 16, 4), Seq.decoding(2, 17, 16));
        StepPlan none = s.plan(tight, List.of(), 1);
        assertEquals("1:14+2* b0 2:16+1* b1 preempted [] admitted []", describe(none));
    }

    @Test
    void proposalsComeOutOfTheTokenBudgetBeforePrefill() {
        Scheduler s = new Scheduler(new SchedulerConfig(12, 8, 16));
        List<SequenceView> running = List.of(Speculating.decoding(1, 10, 16, 8), Speculating.decoding(2, 20, 16, 8));
        StepPlan plan = s.plan(running, List.of(Seq.waiting(3, 30)), 100);
        // 2 decode tokens, then 8 proposals for the oldest, 2 for the next, nothing left for the prompt
        assertEquals("1:9+9* b1 2:19+3* b0 preempted [] admitted []", describe(plan));
        assertEquals(12, plan.tokenCount());
    }
}
