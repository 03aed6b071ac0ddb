package dev.infer4j.runtime.engine;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rejected proposals leave no trace in either model's paged KV cache: between steps each running sequence holds
 * the blocks of its accepted tokens (plus the one still to compute) in the target's and the draft's pools and no
 * more, every block comes back when the requests end, and blocks the prefix cache keeps, reused by a later request
 * or by a preempted sequence restarting, hold only accepted tokens.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpeculativeKvRollbackTest {
    private static final Path TARGET = SharedData.file("models/gguf/stories260K.gguf");
    /** A draft rejected often enough (alpha about 0.6 on greedy text) that rollbacks happen every few steps. */
    private static final Path DRAFT = SharedData.file("models/gguf/stories260K-Q4_0.gguf");
    private static final int PROPOSALS = 4;

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy().toBuilder().maxTokens(maxTokens).build();
    }

    private static int blocksFor(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }

    @Test
    void betweenStepsBothPoolsHoldOnlyTheBlocksOfAcceptedTokensAndAllComeBack() throws Exception {
        // distinct first blocks, so no two sequences share a block and the pools' counts add up exactly
        String[] prompts = {"Once upon a time", "Lily and Tom went to the park.", "The cat sat on the mat and",
                "A bird sang"};
        SamplingParams[] params = {greedy(48),
                SamplingParams.builder().temperature(0.8f).topK(20).topP(0.95f).seed(7).maxTokens(40).build(),
                greedy(36),
                SamplingParams.builder().temperature(1.2f).topK(0).topP(1.0f).minP(0.05f).seed(11).maxTokens(44)
                        .build()};
        Queue<StepSnapshot> snapshots = new ConcurrentLinkedQueue<>();
        List<Completion> completions = new ArrayList<>();
        Model model;
        Model draft;
        try (Kernels kernels = Kernels.load(2);
             GgufFile targetFile = GgufFile.open(TARGET);
             GgufFile draftFile = GgufFile.open(DRAFT)) {
            Tokenizer tokenizer = GgufTokenizers.load(targetFile);
            model = Model.load(targetFile, kernels, KvCacheSpec.forPositions(4 * 128));
            draft = Model.load(draftFile, kernels, KvCacheSpec.forPositions(4 * (128 + PROPOSALS + 32)));
            Speculation speculation = new Speculation.Draft(draft, GgufTokenizers.load(draftFile), PROPOSALS, 0f);
            try (Engine engine = Engine.create(model, tokenizer, new EngineConfig(128, 4, 64, 0, 8, 2), speculation)) {
                engine.observeSteps(snapshots::add);
                List<GenerationStream> streams = new ArrayList<>();
                for (int i = 0; i < prompts.length; i++) {
                    streams.add(engine.stream(GenerationRequest.of(Prompt.text(prompts[i]), params[i])));
                }
                for (GenerationStream s : streams) {
                    Completion c = s.collect();
                    assertNull(c.error(), "generation failed");
                    completions.add(c);
                }
                // every sequence ended inside a step, which then took its snapshot
                for (int i = 0; i < 200 && (snapshots.isEmpty() || !last(snapshots).running().isEmpty()); i++) {
                    Thread.sleep(10);
                }
            }
        }
        long drafted = 0;
        long accepted = 0;
        for (Completion c : completions) {
            drafted += c.usage().speculation().draftedTokens();
            accepted += c.usage().speculation().acceptedTokens();
        }
        assertTrue(accepted > 0 && accepted < drafted, "expected proposals both accepted and rejected, got "
                + accepted + " of " + drafted);

        int decodingChecks = 0;
        int step = 0;
        for (StepSnapshot snap : snapshots) {
            step++;
            int tb = snap.targetBlockSize();
            int db = snap.draftBlockSize();
            int targetHeld = 0;
            int draftHeld = 0;
            for (StepSnapshot.SequenceBlocks s : snap.running()) {
                String where = "after step " + step + ", sequence " + s.id() + " (" + s + ")";
                // the computed tokens need their blocks; the one token still to compute may have its block already;
                // a block past that could only hold rejected positions
                assertTrue(s.blocks() >= blocksFor(s.computedTokens(), tb)
                        && s.blocks() <= blocksFor(s.computedTokens() + 1, tb), where + ": target blocks "
                        + s.blocks() + " for " + s.computedTokens() + " computed tokens");
                assertTrue(s.draftComputedTokens() <= s.computedTokens(), where
                        + ": the draft's cache holds positions the target has not accepted");
                assertTrue(s.draftBlocks() >= blocksFor(s.draftComputedTokens(), db)
                        && s.draftBlocks() <= blocksFor(s.computedTokens() + 1, db), where + ": draft blocks "
                        + s.draftBlocks() + " for " + s.draftComputedTokens() + " drafted-over tokens");
                if (s.computedTokens() == s.totalTokens() - 1 && s.draftBlocks() > 0) {
                    decodingChecks++;
                }
                targetHeld += s.blocks();
                draftHeld += s.draftBlocks();
            }
            assertEquals(draftHeld, snap.draftBlocksUsed(), "after step " + step
                    + ": the draft's pool holds blocks no running sequence has");
            assertEquals(targetHeld + snap.targetBlocksOnlyCached(), snap.targetBlocksUsed(), "after step " + step
                    + ": the target's pool holds blocks neither a running sequence nor the prefix cache has");
        }
        assertTrue(decodingChecks > 20, "too few speculative decode states checked: " + decodingChecks);
        StepSnapshot end = last(snapshots);
        assertTrue(end.running().isEmpty(), "sequences still running: " + end.running());
        assertEquals(0, end.draftBlocksUsed(), "draft blocks not returned");
        assertEquals(end.targetBlocksOnlyCached(), end.targetBlocksUsed(),
                "target blocks held by nobody but not free");
        assertEquals(0, draft.kvCache().pool().usedBlocks(), "draft blocks not returned after close");
    }

    @Test
    void aPromptContinuingASpeculatedGenerationReusesItsCachedBlocksAndGetsTheTargetsGreedyTokens()
            throws Exception {
        String story = "Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. "
                + "One day, she saw a big red ball in the park.";
        int[] prompt;
        int[] generated;
        Completion second;
        try (Engine engine = Engine.open(TARGET, new EngineConfig(256, 2, 64, 0, 4, 2),
                new Speculation.DraftFile(DRAFT, PROPOSALS, 0f))) {
            prompt = engine.tokenizer().encode(story, true, false);
            assertTrue(prompt.length >= 32, "the prompt should fill two blocks, has " + prompt.length + " tokens");
            Completion first = engine.complete(new GenerationRequest(new Prompt.Tokens(prompt), greedy(48), false));
            SpeculationCounts c = first.usage().speculation();
            assertTrue(c.acceptedTokens() > 0 && c.acceptedTokens() < c.draftedTokens(),
                    "expected proposals both accepted and rejected in the first request, got " + c);
            generated = first.tokens();
            assertEquals(48, generated.length, "the first request ended early");
            // the second prompt is the first's whole text and more: its cached blocks cover speculated positions
            int[] continued = java.util.Arrays.copyOf(prompt, prompt.length + generated.length);
            System.arraycopy(generated, 0, continued, prompt.length, generated.length);
            second = engine.complete(new GenerationRequest(new Prompt.Tokens(continued), greedy(24), false));
            assertTrue(second.usage().cachedTokens() >= prompt.length + 16, "the second request reused "
                    + second.usage().cachedTokens() + " cached tokens, not the blocks of the first's generated "
                    + "tokens (its prompt alone has " + prompt.length + ")");
        }
        int[] continued = java.util.Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, continued, prompt.length, generated.length);
        try (Engine plain = Engine.open(TARGET, new EngineConfig(256, 2, 64, 0, 4, 2))) {
            Completion fresh = plain.complete(new GenerationRequest(new Prompt.Tokens(continued), greedy(24), false));
            assertEquals(0, fresh.usage().cachedTokens());
            assertArrayEquals(fresh.tokens(), second.tokens(), "greedy tokens after reusing blocks cached by a "
                    + "speculating request differ from a fresh engine's: a cached block held a rejected token's K/V");
        }
    }

    @Test
    void speculatingSequencesPreemptedByATinyKvCacheStillGiveTheTargetsGreedyTokens() throws Exception {
        String[] prompts = {"Once upon a time", "Lily and Tom went to the park.", "The cat"};
        // 80 positions (5 blocks of 16) for three sequences of up to 64: some must give way
        EngineConfig tight = new EngineConfig(64, 3, 64, 80, 8, 1);
        List<int[]> plain = new ArrayList<>();
        try (Engine engine = Engine.open(TARGET, tight)) {
            for (Completion c : completeAll(engine, prompts, 40)) {
                plain.add(c.tokens());
            }
        }
        try (Engine engine = Engine.open(TARGET, tight, new Speculation.DraftFile(DRAFT, PROPOSALS, 0f))) {
            List<Completion> spec = completeAll(engine, prompts, 40);
            long drafted = 0;
            long accepted = 0;
            for (int i = 0; i < prompts.length; i++) {
                assertArrayEquals(plain.get(i), spec.get(i).tokens(), "tokens for \"" + prompts[i]
                        + "\" differ from the target's own greedy tokens under preemption");
                drafted += spec.get(i).usage().speculation().draftedTokens();
                accepted += spec.get(i).usage().speculation().acceptedTokens();
            }
            assertTrue(accepted > 0 && accepted < drafted, "expected proposals both accepted and rejected, got "
                    + accepted + " of " + drafted);
            for (int i = 0; i < 200 && engine.stats().running() + engine.stats().waiting() > 0; i++) {
                Thread.sleep(10);
            }
            assertTrue(engine.stats().preemptions() > 0, "the tiny KV cache preempted nothing: " + engine.stats());
            assertEquals(0, engine.stats().kvBlocksUsed(), "every KV block returned");
        }
    }

    private static List<Completion> completeAll(Engine engine, String[] prompts, int tokens)
            throws InterruptedException {
        List<GenerationStream> streams = new ArrayList<>();
        for (String prompt : prompts) {
            streams.add(engine.stream(GenerationRequest.of(Prompt.text(prompt), greedy(tokens))));
        }
        return Completions.collectAll(streams);
    }

    private static StepSnapshot last(Queue<StepSnapshot> snapshots) {
        StepSnapshot last = null;
        for (StepSnapshot s : snapshots) {
            last = s;
        }
        return last;
    }
}
