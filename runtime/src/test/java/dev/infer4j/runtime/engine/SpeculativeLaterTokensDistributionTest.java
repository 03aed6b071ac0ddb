package dev.infer4j.runtime.engine;

import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Batch;
import dev.infer4j.runtime.model.Logits;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.sampling.SamplerChain;
import dev.infer4j.runtime.sampling.SamplingParams;
import dev.infer4j.runtime.sampling.SplitMix64;
import dev.infer4j.runtime.sampling.TokenHistory;
import dev.infer4j.runtime.spec.AcceptanceRule;
import dev.infer4j.runtime.spec.Speculation;
import dev.infer4j.runtime.spec.SpeculativeSampling;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Speculative sampling must keep the target's distribution past the first speculative position too. Each seeded
 * generation makes four tokens with a draft model proposing two per step: the first verification step checks
 * tokens 2 and 3 and, when it accepts both, samples token 4 as the bonus token from the target's last row; when
 * it rejects one, the residual draw replaces it and a later step verifies the rest. The joint distribution of
 * tokens 2 to 4 (over every first token) is compared by a chi-square test, at a significance of 0.001, with the
 * target's exact distribution, enumerated from {@link SamplerChain#distribution} on the target alone. A subtly
 * wrong rule, the right acceptance test but a replacement drawn from p instead of the residual
 * {@code norm(max(0, p - q))}, must fail the same test.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpeculativeLaterTokensDistributionTest {
    private static final Path TARGET = SharedData.file("models/gguf/stories260K.gguf");
    /** The coarsest quantization of the target: it rejects most often, which is where a wrong replacement shows. */
    private static final Path DRAFT = SharedData.file("models/gguf/stories260K-IQ4_NL.gguf");
    private static final String PROMPT = "Lily saw a cat. Lily saw a bird. Lily saw a big dog. Lily saw a";
    private static final int SAMPLES = 1200;
    private static final int TOKENS = 4;
    private static final int PROPOSALS = 2;
    private static final int SEQUENCES = 64;
    /** Top-4 keeps the outcomes of three tokens few enough (at most 64, pooled below 5 expected) for the samples. */
    private static final SamplingParams PARAMS = SamplingParams.builder().temperature(1.0f).topK(4).topP(1.0f)
            .minP(0.0f).maxTokens(TOKENS).build();
    /** The wrong rule: accepts as speculative sampling does, but replaces a rejected proposal with a draw from p. */
    private static final AcceptanceRule REPLACEMENT_FROM_P = new AcceptanceRule() {
        @Override
        public boolean accepts(double targetProbability, double draftProbability, SplitMix64 random) {
            return SPECULATIVE_SAMPLING.accepts(targetProbability, draftProbability, random);
        }

        @Override
        public int replacement(double[] p, double[] q, int qOffset, int proposed, int vocab, SplitMix64 random) {
            return SpeculativeSampling.draw(p, 0, vocab, random);
        }
    };

    private static TargetAndDraft files;
    /** Probability of each outcome of tokens 2 to 4 (see {@link #key}). */
    private static Map<Long, Double> expected;

    @BeforeAll
    static void exactDistribution() throws IOException {
        files = new TargetAndDraft(TARGET, DRAFT, 2);
        Model model = Model.load(files.targetFile, files.kernels, KvCacheSpec.forPositions(256));
        int vocab = model.config().vocabSize();
        int[] eog = files.endOfGeneration(vocab);
        int[] prompt = files.tokenizer.encode(PROMPT, true, false);
        expected = new HashMap<>();
        enumerate(model, eog, prompt, new int[TOKENS], 0, 1.0);
    }

    /** Adds to {@link #expected} every continuation of {@code generated[0, n)}, reached with probability {@code mass}. */
    private static void enumerate(Model model, int[] eog, int[] prompt, int[] generated, int n, double mass) {
        if (n == TOKENS || n > 0 && isIn(eog, generated[n - 1])) {
            int[] tokens = Arrays.copyOf(generated, TOKENS);
            Arrays.fill(tokens, n, TOKENS, -1);
            expected.merge(key(tokens), mass, Double::sum);
            return;
        }
        double[] p = distribution(model, eog, prompt, generated, n);
        for (int t = 0; t < p.length; t++) {
            if (p[t] > 0) {
                generated[n] = t;
                enumerate(model, eog, prompt, generated, n + 1, mass * p[t]);
            }
        }
    }

    private static boolean isIn(int[] ids, int id) {
        return Arrays.stream(ids).anyMatch(e -> e == id);
    }

    /** The target's sampling distribution after the prompt and {@code generated[0, n)}. */
    private static double[] distribution(Model model, int[] eog, int[] prompt, int[] generated, int n) {
        int[] ids = Arrays.copyOf(prompt, prompt.length + n);
        System.arraycopy(generated, 0, ids, prompt.length, n);
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
        for (int i = 0; i < n; i++) {
            history.addGenerated(generated[i]);
        }
        double[] p = new double[vocab];
        new SamplerChain(PARAMS, eog, vocab).distribution(row, 0, vocab, history, p);
        return p;
    }

    /** Tokens 2 to 4 of a generation (-1 after its end), 16 bits each. */
    private static long key(int[] tokens) {
        long k = 0;
        for (int i = 1; i < TOKENS; i++) {
            k = k << 16 | (tokens[i] & 0xFFFF);
        }
        return k;
    }

    @AfterAll
    static void close() {
        files.close();
    }

    /** What {@link #sample} saw: outcomes, and how the first verification step of each generation went. */
    private record Samples(Map<Long, Integer> counts, int bonus, int partial, int firstRejected) {
    }

    /** Tokens 2 to 4 of {@link #SAMPLES} seeded generations, all submitted at once to one engine. */
    private static Samples sample(AcceptanceRule rule) throws Exception {
        Model model = Model.load(files.targetFile, files.kernels, KvCacheSpec.forPositions(SEQUENCES * 128));
        Model draft = Model.load(files.draftFile, files.kernels, KvCacheSpec.forPositions(SEQUENCES * 160));
        Speculation speculation = new Speculation.Draft(draft, files.draftTokenizer, PROPOSALS, 0f);
        long[] keys = new long[SAMPLES];
        SpeculationCounts[] usage = new SpeculationCounts[SAMPLES];
        try (Engine engine = Engine.createWithRule(model, files.tokenizer,
                new EngineConfig(128, SEQUENCES, 4096, 0, SAMPLES, 2), speculation, rule)) {
            CountDownLatch done = new CountDownLatch(SAMPLES);
            for (int i = 0; i < SAMPLES; i++) {
                int index = i;
                int[] tokens = new int[TOKENS];
                Arrays.fill(tokens, -1);
                int[] n = {0};
                SamplingParams p = PARAMS.toBuilder().seed(5000L + i).build();
                engine.submit(GenerationRequest.of(Prompt.text(PROMPT), p), event -> {
                    switch (event) {
                        case GenerationEvent.Token t -> tokens[n[0]++] = t.token();
                        case GenerationEvent.Finished f -> {
                            keys[index] = key(tokens);
                            usage[index] = f.usage().speculation();
                            done.countDown();
                        }
                        case GenerationEvent.Failed f -> throw new AssertionError(f.message());
                        case GenerationEvent.PromptLogprobs unasked -> throw new AssertionError("prompt scores unasked");
                    }
                });
            }
            assertTrue(done.await(120, TimeUnit.SECONDS), "generations did not finish");
        }
        Map<Long, Integer> counts = new HashMap<>();
        int bonus = 0;
        int partial = 0;
        int firstRejected = 0;
        for (int i = 0; i < SAMPLES; i++) {
            counts.merge(keys[i], 1, Integer::sum);
            SpeculationCounts c = usage[i];
            // two proposals accepted in a single step that made three tokens: the third was the bonus token
            if (c.decodeSteps() == 1 && c.acceptedTokens() == PROPOSALS && c.decodeTokens() == PROPOSALS + 1) {
                bonus++;
            } else if (c.draftedTokens() == PROPOSALS + 1) {
                // the first step accepted token 2 and rejected token 3, leaving room for one proposal after it
                partial++;
            } else if (c.decodeSteps() > 1 && c.draftedTokens() >= 2 * PROPOSALS) {
                firstRejected++;
            }
        }
        return new Samples(counts, bonus, partial, firstRejected);
    }

    @Test
    void tokensAfterTheFirstProposalAndTheBonusTokenKeepTheTargetsDistribution() throws Exception {
        Samples s = sample(AcceptanceRule.SPECULATIVE_SAMPLING);
        ChiSquare r = ChiSquare.of(expected, s.counts(), SAMPLES, ChiSquare.Z_999);
        System.out.printf("speculative sampling, tokens 2-4 (%d outcomes): %s; first step: %d bonus, %d partial, "
                + "%d first rejected%n", expected.size(), r, s.bonus(), s.partial(), s.firstRejected());
        assertTrue(s.bonus() > SAMPLES / 10, "too few generations took the bonus token: " + s.bonus());
        assertTrue(s.partial() > SAMPLES / 40, "too few generations accepted one proposal and rejected the next: "
                + s.partial());
        assertTrue(s.firstRejected() > SAMPLES / 20, "too few generations rejected the first proposal: "
                + s.firstRejected());
        assertEquals(0, r.impossible(), "samples the target can never produce");
        assertTrue(r.fits(), "tokens 2 to 4 with a draft proposing " + PROPOSALS + " differ from the target's "
                + "distribution at significance 0.001: " + r);
    }

    @Test
    void replacingARejectedProposalFromTheTargetInsteadOfTheResidualIsCaught() throws Exception {
        Samples s = sample(REPLACEMENT_FROM_P);
        ChiSquare r = ChiSquare.of(expected, s.counts(), SAMPLES, ChiSquare.Z_999);
        System.out.printf("replacement from p, tokens 2-4: %s%n", r);
        assertFalse(r.fits(), "the test did not notice replacements drawn from p instead of the residual: " + r);
    }
}
