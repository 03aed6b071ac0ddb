package dev.infer4j.runtime.scheduler;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Plans one step of continuous batching.
 *
 * <p>Policy, in order:
 * <ol>
 *   <li>Every running sequence that is decoding gets its one token, oldest first. When the free blocks cannot
 *       cover a decode that starts a new block, the newest running sequence is preempted (it frees all its
 *       blocks and returns to the waiting queue, to be recomputed later) until the older one fits; no request
 *       fails for lack of memory while an older one can make progress.</li>
 *   <li>The remaining token budget goes to prefill: first running sequences that are part-way through a
 *       chunked prompt, then waiting sequences in arrival order. A waiting sequence is admitted only when its
 *       chunk's blocks are free; the first one that does not fit stops admission, so later arrivals never jump
 *       the queue.</li>
 * </ol>
 * Between the two, a decoding sequence that speculates ({@link SequenceView#speculativeTokens()}) has its decode
 * chunk lengthened by its proposals, as far as the budget and the blocks no decode needs allow, so one forward
 * pass verifies them all.
 * The planner is pure: it reads {@link SequenceView}s and returns a {@link StepPlan}.
 */
public final class Scheduler {
    private final SchedulerConfig config;

    /** A planner with these limits. */
    public Scheduler(SchedulerConfig config) {
        this.config = config;
    }

    /** The limits. */
    public SchedulerConfig config() {
        return config;
    }

    /**
     * Plans a step.
     *
     * @param running    sequences holding KV blocks, in arrival order
     * @param waiting    sequences holding no blocks (new or preempted), in arrival order
     * @param freeBlocks blocks free in the pool now
     */
    public StepPlan plan(List<? extends SequenceView> running, List<? extends SequenceView> waiting, int freeBlocks) {
        List<StepPlan.Chunk> decodes = new ArrayList<>();
        List<StepPlan.Chunk> prefills = new ArrayList<>();
        List<Long> preempted = new ArrayList<>();
        List<Long> admitted = new ArrayList<>();
        Set<Long> gone = new HashSet<>();
        int budget = config.tokenBudget();
        int free = freeBlocks;
        int lastAlive = running.size() - 1;

        for (int i = 0; i < running.size() && budget > 0 && decodes.size() < config.maxSequences(); i++) {
            SequenceView s = running.get(i);
            if (gone.contains(s.id()) || s.pendingTokens() != 1) {
                continue;
            }
            int need = blocksToGrow(s, 1);
            while (need > free && lastAlive > i) {
                SequenceView victim = running.get(lastAlive--);
                // Victims are newer than every sequence planned so far, so none of them has a chunk yet.
                if (gone.add(victim.id())) {
                    preempted.add(victim.id());
                    free += victim.heldBlocks();
                }
            }
            if (need > free) {
                // Even alone it cannot grow: it is the newest left, so it yields its blocks to the others.
                gone.add(s.id());
                preempted.add(s.id());
                free += s.heldBlocks();
                continue;
            }
            free -= need;
            budget -= 1;
            decodes.add(new StepPlan.Chunk(s.id(), s.computedTokens(), 1, need, true));
        }

        free = growBySpeculation(decodes, running, free, budget);
        for (StepPlan.Chunk c : decodes) {
            budget -= c.length() - 1;
        }

        int sequences = decodes.size();
        for (SequenceView s : running) {
            if (budget == 0 || sequences >= config.maxSequences()) {
                break;
            }
            if (gone.contains(s.id()) || s.pendingTokens() <= 1) {
                continue;
            }
            StepPlan.Chunk chunk = prefillChunk(s, budget, free);
            if (chunk != null) {
                prefills.add(chunk);
                free -= chunk.newBlocks();
                budget -= chunk.length();
                sequences++;
            }
        }

        for (SequenceView s : waiting) {
            if (budget == 0 || sequences >= config.maxSequences()) {
                break;
            }
            StepPlan.Chunk chunk = prefillChunk(s, budget, free);
            if (chunk == null) {
                break;
            }
            prefills.add(chunk);
            admitted.add(s.id());
            free -= chunk.newBlocks();
            budget -= chunk.length();
            sequences++;
        }

        List<StepPlan.Chunk> chunks = new ArrayList<>(decodes);
        chunks.addAll(prefills);
        return new StepPlan(chunks, preempted, admitted);
    }

    /**
     * Lengthens decode chunks by the proposals their sequences want verified, oldest first, from the budget and
     * the blocks left after every decode has its token. Speculation never preempts anyone: a proposal that does
     * not fit is dropped.
     *
     * @return the free blocks left
     */
    private int growBySpeculation(List<StepPlan.Chunk> decodes, List<? extends SequenceView> running, int free,
                                  int budget) {
        int left = budget;
        for (int i = 0; i < decodes.size() && left > 0; i++) {
            StepPlan.Chunk c = decodes.get(i);
            SequenceView s = viewOf(running, c.sequenceId());
            int extra = Math.min(s.speculativeTokens(), left);
            if (extra <= 0) {
                continue;
            }
            int reachable = (s.heldBlocks() + c.newBlocks() + free) * config.blockSize() - s.computedTokens() - 1;
            extra = Math.min(extra, reachable);
            if (extra <= 0) {
                continue;
            }
            int need = blocksToGrow(s, 1 + extra);
            free -= need - c.newBlocks();
            left -= extra;
            decodes.set(i, new StepPlan.Chunk(c.sequenceId(), c.start(), 1 + extra, need, true));
        }
        return free;
    }

    private static SequenceView viewOf(List<? extends SequenceView> list, long id) {
        for (SequenceView s : list) {
            if (s.id() == id) {
                return s;
            }
        }
        throw new IllegalStateException("no sequence " + id);
    }

    /** A chunk of the sequence's pending tokens that fits the budget and the free blocks, or null. */
    private StepPlan.Chunk prefillChunk(SequenceView s, int budget, int free) {
        int length = Math.min(s.pendingTokens(), budget);
        while (length > 0 && blocksToGrow(s, length) > free) {
            // Shrink to the tokens that fit in the blocks we can still give it.
            int reachable = (s.heldBlocks() + free) * config.blockSize() - s.computedTokens();
            length = Math.min(length - 1, reachable);
        }
        if (length <= 0) {
            return null;
        }
        return new StepPlan.Chunk(s.id(), s.computedTokens(), length, blocksToGrow(s, length),
                length == s.pendingTokens());
    }

    private int blocksToGrow(SequenceView s, int newTokens) {
        return Math.max(0, config.blocksFor(s.computedTokens() + newTokens) - s.heldBlocks());
    }
}
