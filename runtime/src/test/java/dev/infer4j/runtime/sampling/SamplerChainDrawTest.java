package dev.infer4j.runtime.sampling;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The draw itself: reproducibility, agreement with the distribution, the large-vocabulary paths, no garbage. */
class SamplerChainDrawTest {

    private static final int[] NO_EOG = {};

    private static SamplingParams.Builder plain() {
        return SamplingParams.builder().temperature(1).topK(0).topP(1).minP(0).typicalP(1);
    }

    private static float[] randomRow(SplittableRandom rnd, int vocab, double spread) {
        float[] row = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            row[i] = (float) (rnd.nextGaussian() * spread);
        }
        return row;
    }

    private static int[] draws(SamplingParams params, float[] row, int n) {
        SamplerChain chain = new SamplerChain(params, NO_EOG, row.length);
        TokenHistory history = new TokenHistory(64);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = chain.sample(row, 0, row.length, history);
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameTokensAndDifferentSeedsDiffer() {
        float[] row = randomRow(new SplittableRandom(5), 1000, 1.5);
        SamplingParams p = SamplingParams.defaults().toBuilder().topK(0).minP(0).temperature(1.2f).seed(42).build();
        int[] a = draws(p, row, 300);
        int[] b = draws(p, row, 300);
        assertArrayEquals(a, b, "two chains with seed 42 drew different tokens");
        int[] c = draws(p.toBuilder().seed(43).build(), row, 300);
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            same += a[i] == c[i] ? 1 : 0;
        }
        assertTrue(same < 60, "seeds 42 and 43 agreed on " + same + " of 300 draws");
    }

    @Test
    void aSeededSequenceIsPinnedAcrossRunsAndJvms() {
        // SplitMix64 is fully specified and the candidate order is total, so this sequence may only change
        // on purpose. Expected values: u_i = (SplitMix64(2024) >>> 11) / 2^53 mapped through the cumulative
        // weights 1 2 3 4 (over 10) of tokens 0..3.
        SplitMix64 rng = new SplitMix64(2024);
        int[] expected = new int[20];
        for (int i = 0; i < expected.length; i++) {
            double u = rng.nextDouble() * 10;
            expected[i] = u < 1 ? 0 : u < 3 ? 1 : u < 6 ? 2 : 3;
        }
        float[] row = {0f, (float) Math.log(2), (float) Math.log(3), (float) Math.log(4)};
        assertArrayEquals(expected, draws(plain().seed(2024).build(), row, 20), "seeded draws for seed 2024");
    }

    @Test
    void drawsFollowTheFinalDistributionChiSquare() {
        // weights after the chain: top-k 5 of 8 tokens, then temperature 0.7
        float[] row = {0.3f, 1.1f, -0.4f, 0.9f, 2.0f, -3f, 1.5f, 0.0f};
        SamplingParams p = plain().topK(5).temperature(0.7f).seed(99).build();
        SamplerChain chain = new SamplerChain(p, NO_EOG, row.length);
        TokenHistory history = new TokenHistory(64);
        double[] expected = new double[row.length];
        chain.distribution(row, 0, row.length, history, expected);
        int n = 200_000;
        int[] observed = new int[row.length];
        for (int i = 0; i < n; i++) {
            observed[chain.sample(row, 0, row.length, history)]++;
        }
        double chiSquare = 0;
        int categories = 0;
        for (int t = 0; t < row.length; t++) {
            if (expected[t] == 0) {
                assertEquals(0, observed[t], "token " + t + " is outside the final distribution but was drawn");
                continue;
            }
            double e = expected[t] * n;
            chiSquare += (observed[t] - e) * (observed[t] - e) / e;
            categories++;
        }
        assertEquals(5, categories, "top-k 5 leaves five tokens");
        // 4 degrees of freedom: P(chi2 > 18.47) = 0.001
        assertTrue(chiSquare < 18.47, "chi-square " + chiSquare + " over 4 degrees of freedom; observed "
                + Arrays.toString(observed) + ", expected " + Arrays.toString(expected));
    }

    /** The optimised paths (heap top-k, histogram-bounded top-p and typical-p, unsorted min-p) against a naive chain. */
    @Test
    void largeVocabularyPathsAgreeWithANaiveChain() {
        SplittableRandom rnd = new SplittableRandom(11);
        int vocab = 20_000;
        double[] probs = new double[vocab];
        List<SamplingParams.Builder> configs = List.of(
                plain().topP(0.9f),
                plain().topP(0.999999f),
                plain().topP(0.6f).minKeep(3000),
                plain().typicalP(0.9f),
                plain().typicalP(0.5f).topP(0.8f),
                plain().typicalP(0.95f).minKeep(5000),
                plain().minP(0.05f),
                plain().minP(0.5f).minKeep(700),
                plain().topK(50).topP(0.9f).minP(0.02f),
                plain().topK(5000).typicalP(0.95f).topP(0.95f),
                plain().topK(vocab / 8 + 1).minP(0.1f).temperature(0.6f));
        int trial = 0;
        // flat rows push top-p far down the vocabulary, peaked rows stop it after a few tokens
        for (double spread : new double[] {0.05, 1.0, 4.0}) {
            float[] row = randomRow(rnd, vocab, spread);
            for (SamplingParams.Builder b : configs) {
                SamplingParams p = b.seed(trial++).build();
                new SamplerChain(p, NO_EOG, vocab).distribution(row, 0, vocab, new TokenHistory(64), probs);
                double[] expected = NaiveChain.distribution(p, row);
                for (int t = 0; t < vocab; t++) {
                    if (Math.abs(expected[t] - probs[t]) > 1e-9) {
                        throw new AssertionError("spread " + spread + " (" + p + "): token " + t
                                + " has probability " + probs[t] + ", the naive chain says " + expected[t]);
                    }
                }
            }
        }
    }

    @Test
    void samplingAllocatesNothingPerCall() {
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().threadId();
        SplittableRandom rnd = new SplittableRandom(8);
        int vocab = 32_000;
        float[] batch = new float[4 * vocab];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = (float) rnd.nextGaussian() * 2;
        }
        SamplerWorkspace shared = new SamplerWorkspace(vocab);
        TokenHistory history = new TokenHistory(128);
        for (int i = 0; i < 100; i++) {
            history.addPrompt(rnd.nextInt(vocab));
        }
        List<SamplerChain> chains = List.of(
                new SamplerChain(SamplingParams.defaults().toBuilder().seed(1).repeatPenalty(1.1f)
                        .frequencyPenalty(0.2f).presencePenalty(0.1f).logprobs(5).build(), new int[] {2}, shared),
                new SamplerChain(plain().topP(0.9f).seed(2).build(), new int[] {2}, shared),
                new SamplerChain(plain().typicalP(0.8f).minP(0.02f).seed(3).build(), new int[] {2}, shared),
                new SamplerChain(SamplingParams.greedy().toBuilder().logprobs(20).build(), new int[] {2}, shared));
        for (int warm = 0; warm < 3; warm++) {
            for (int s = 0; s < chains.size(); s++) {
                chains.get(s).sample(batch, s * vocab, vocab, history);
            }
        }
        long before = threads.getThreadAllocatedBytes(thread);
        int sum = 0;
        for (int step = 0; step < 50; step++) {
            for (int s = 0; s < chains.size(); s++) {
                sum += chains.get(s).sample(batch, s * vocab, vocab, history);
            }
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertTrue(sum >= 0);
        // 200 samples; a single per-call array would be far above this bound
        assertTrue(allocated < 4096, allocated + " bytes allocated by 200 sample calls");
    }

    /** Straightforward chain over boxed lists and full sorts, the same semantics, none of the shortcuts. */
    private static final class NaiveChain {

        record Cand(int id, float logit) {
        }

        static double[] distribution(SamplingParams p, float[] row) {
            List<Cand> c = new ArrayList<>();
            for (int i = 0; i < row.length; i++) {
                c.add(new Cand(i, row[i]));
            }
            Comparator<Cand> byLogit = Comparator.<Cand>comparingDouble(x -> -x.logit).thenComparingInt(Cand::id);
            if (p.topK() > 0 && p.topK() < c.size()) {
                c.sort(byLogit);
                c = new ArrayList<>(c.subList(0, p.topK()));
            }
            if (p.typicalP() < 1) {
                double[] pr = probabilities(c, 1);
                double h = 0;
                for (double x : pr) {
                    h -= x > 0 ? x * Math.log(x) : 0;
                }
                List<Integer> order = new ArrayList<>();
                float[] score = new float[c.size()];
                for (int i = 0; i < c.size(); i++) {
                    order.add(i);
                    score[i] = (float) Math.abs(-Math.log(pr[i]) - h);
                }
                order.sort(Comparator.<Integer>comparingDouble(i -> score[i]).thenComparingInt(i -> i));
                double cum = 0;
                List<Cand> kept = new ArrayList<>();
                for (int i = 0; i < order.size(); i++) {
                    kept.add(c.get(order.get(i)));
                    cum += pr[order.get(i)];
                    if (cum > p.typicalP() && (p.minKeep() == 0 || i >= p.minKeep() - 1)) {
                        break;
                    }
                }
                c = kept;
            }
            if (p.topP() < 1) {
                c.sort(byLogit);
                double[] pr = probabilities(c, 1);
                double cum = 0;
                int keep = c.size();
                for (int i = 0; i < c.size(); i++) {
                    cum += pr[i];
                    if (cum >= p.topP() && i + 1 >= p.minKeep()) {
                        keep = i + 1;
                        break;
                    }
                }
                c = new ArrayList<>(c.subList(0, keep));
            }
            if (p.minP() > 0) {
                float max = (float) c.stream().mapToDouble(Cand::logit).max().orElseThrow();
                float threshold = max + (float) Math.log(p.minP());
                List<Cand> sorted = new ArrayList<>(c);
                sorted.sort(byLogit);
                List<Cand> kept = new ArrayList<>();
                for (int i = 0; i < sorted.size(); i++) {
                    if (sorted.get(i).logit >= threshold || i < p.minKeep()) {
                        kept.add(sorted.get(i));
                    }
                }
                c = kept;
            }
            double[] pr = probabilities(c, p.temperature());
            double[] out = new double[row.length];
            for (int i = 0; i < c.size(); i++) {
                out[c.get(i).id] = pr[i];
            }
            return out;
        }

        static double[] probabilities(List<Cand> c, double temperature) {
            double max = c.stream().mapToDouble(Cand::logit).max().orElseThrow();
            double[] pr = new double[c.size()];
            double sum = 0;
            for (int i = 0; i < pr.length; i++) {
                pr[i] = Math.exp((c.get(i).logit - max) / temperature);
                sum += pr[i];
            }
            for (int i = 0; i < pr.length; i++) {
                pr[i] /= sum;
            }
            return pr;
        }
    }
}
