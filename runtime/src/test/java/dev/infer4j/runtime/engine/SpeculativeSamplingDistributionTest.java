package dev.infer4j.runtime.engine;

import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Batch;
import dev.infer4j.runtime.model.Logits;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.sampling.SamplerChain;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.sampling.TokenHistory;
import dev.infer4j.runtime.spec.AcceptanceRule;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With temperature above 0, speculative decoding must keep the target's distribution exactly. Over many seeded
 * generations of two tokens (the second one is the first verified against proposals), the pairs are compared by
 * a chi-square test with the target's exact joint distribution, computed from {@link SamplerChain#distribution}
 * on the target alone. The same test must reject a deliberately wrong rule that accepts every proposal.
 */
class SpeculativeSamplingDistributionTest {
    private static final Path TARGET = SharedData.file("models/gguf/stories260K.gguf");
    private static final Path DRAFT = SharedData.file("models/gguf/stories260K-Q4_0.gguf");
    private static final String PROMPT = "Lily saw a cat. Lily saw a bird. Lily saw a big dog. Lily saw a";
    private static final int SAMPLES = 2000;
    /** Upper 0.1% point of the standard normal: the test's significance is 0.001. */
    private static final double Z_999 = ChiSquare.Z_999;
    private static final SamplingParams PARAMS = SamplingParams.builder().temperature(1.5f).topK(8).topP(1.0f)
            .minP(0.0f).maxTokens(2).build();

    private static TargetAndDraft files;
    private static Map<Long, Double> expected;

    @BeforeAll
    static void exactDistribution() throws IOException {
        files = new TargetAndDraft(TARGET, DRAFT, 2);
        Model model = Model.load(files.targetFile, files.kernels, KvCacheSpec.forPositions(256));
        int vocab = model.config().vocabSize();
        int[] eog = files.endOfGeneration(vocab);
        int[] prompt = files.tokenizer.encode(PROMPT, true, false);
        double[] first = distribution(model, eog, prompt, -1);
        expected = new HashMap<>();
        for (int t1 = 0; t1 < vocab; t1++) {
            if (first[t1] == 0) {
                continue;
            }
            int token = t1;
            if (Arrays.stream(eog).anyMatch(e -> e == token)) {
                expected.merge(pair(t1, -1), first[t1], Double::sum);
                continue;
            }
            double[] second = distribution(model, eog, prompt, t1);
            for (int t2 = 0; t2 < vocab; t2++) {
                if (second[t2] > 0) {
                    expected.put(pair(t1, t2), first[t1] * second[t2]);
                }
            }
        }
    }

    @AfterAll
    static void close() {
        files.close();
    }

    /** The target's sampling distribution after the prompt (and {@code generated}, when not -1). */
    private static double[] distribution(Model model, int[] eog, int[] prompt, int generated) {
        int[] ids = generated < 0 ? prompt : Arrays.copyOf(prompt, prompt.length + 1);
        if (generated >= 0) {
            ids[prompt.length] = generated;
        }
        BlockTable table = model.kvCache().newTable();
        table.ensureCapacity(ids.length, model.kvCache().pool());
        Batch batch = new Batch();
        batch.add(table, 0, ids);
        Logits logits = model.forward(batch);
        int vocab = model.config().vocabSize();
        float[] row = new float[vocab];
        logits.copyRow(0, row, 0);
        table.release(model.kvCache().pool());
        TokenHistory history = new TokenHistory(ids.length + 8);
        history.addPrompt(prompt);
        if (generated >= 0) {
            history.addGenerated(generated);
        }
        double[] p = new double[vocab];
        new SamplerChain(PARAMS, eog, vocab).distribution(row, 0, vocab, history, p);
        return p;
    }

    private static long pair(int t1, int t2) {
        return (long) t1 << 32 | (t2 & 0xFFFF_FFFFL);
    }

    /** Pairs of the first two tokens from {@link #SAMPLES} seeded generations on an engine. */
    private static Map<Long, Integer> sample(Speculation speculation, AcceptanceRule rule) throws Exception {
        Model model = Model.load(files.targetFile, files.kernels, KvCacheSpec.forPositions(16 * 128));
        Map<Long, Integer> counts = new HashMap<>();
        EngineConfig config = new EngineConfig(128, 16, 512, 0, SAMPLES, 2);
        try (Engine engine = Engine.createWithRule(model, files.tokenizer, config, speculation, rule)) {
            long[] pairs = new long[SAMPLES];
            CountDownLatch done = new CountDownLatch(SAMPLES);
            for (int i = 0; i < SAMPLES; i++) {
                int index = i;
                int[] tokens = {-1, -1};
                int[] n = {0};
                SamplingParams p = PARAMS.toBuilder().seed(1000L + i).build();
                engine.submit(GenerationRequest.of(Prompt.text(PROMPT), p), event -> {
                    switch (event) {
                        case GenerationEvent.Token t -> tokens[n[0]++] = t.token();
                        case GenerationEvent.Finished f -> {
                            pairs[index] = pair(tokens[0], tokens[1]);
                            done.countDown();
                        }
                        case GenerationEvent.Failed f -> throw new AssertionError(f.message());
                        case GenerationEvent.PromptLogprobs unasked -> throw new AssertionError("prompt scores unasked");
                    }
                });
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "generations did not finish");
            for (long key : pairs) {
                counts.merge(key, 1, Integer::sum);
            }
            SpeculationCounts c = engine.stats().speculation();
            System.out.printf("%s: alpha %.3f over %d proposals%n", speculation, c.acceptanceRate(), c.draftedTokens());
            assertTrue(c.draftedTokens() > SAMPLES / 2, "too few proposals to test anything: " + c);
        }
        return counts;
    }

    private static double[] chiSquare(Map<Long, Integer> observed) {
        ChiSquare r = ChiSquare.of(expected, observed, SAMPLES, Z_999);
        return new double[]{r.statistic(), r.critical(), r.degreesOfFreedom(), r.impossible()};
    }

    private static void assertMatchesTarget(Speculation speculation) throws Exception {
        double[] r = chiSquare(sample(speculation, AcceptanceRule.SPECULATIVE_SAMPLING));
        System.out.printf("  speculative sampling: chi2 %.1f, df %d, critical %.1f%n", r[0], (int) r[2], r[1]);
        assertTrue(r[3] == 0, (int) r[3] + " samples were pairs the target can never produce");
        assertTrue(r[0] < r[1], "first two tokens with " + speculation + " differ from the target's distribution: "
                + "chi-square " + r[0] + " over " + (int) r[2] + " degrees of freedom, critical value at 0.001 is " + r[1]);
    }

    private static void assertAlwaysAcceptingIsCaught(Speculation speculation) throws Exception {
        double[] r = chiSquare(sample(speculation, (p, q, random) -> true));
        System.out.printf("  always accept: chi2 %.1f, df %d, critical %.1f%n", r[0], (int) r[2], r[1]);
        assertTrue(r[0] > r[1], "the test did not notice a rule that accepts every proposal: chi-square " + r[0]
                + ", critical " + r[1]);
    }

    @Test
    void aDraftModelKeepsTheTargetsDistribution() throws Exception {
        Model draft = Model.load(files.draftFile, files.kernels, KvCacheSpec.forPositions(16 * 160));
        assertMatchesTarget(new Speculation.Draft(draft, files.draftTokenizer, 4, 0f));
    }

    @Test
    void ngramLookupKeepsTheTargetsDistribution() throws Exception {
        assertMatchesTarget(Speculation.Ngram.of(4));
    }

    @Test
    void acceptingEveryNgramProposalIsCaught() throws Exception {
        assertAlwaysAcceptingIsCaught(Speculation.Ngram.of(4));
    }

    @Test
    void acceptingEveryDraftProposalIsCaught() throws Exception {
        Model draft = Model.load(files.draftFile, files.kernels, KvCacheSpec.forPositions(16 * 160));
        assertAlwaysAcceptingIsCaught(new Speculation.Draft(draft, files.draftTokenizer, 4, 0f));
    }
}
