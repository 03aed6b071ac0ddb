package dev.infer4j.runtime.model.hf;

import dev.infer4j.formats.hf.HfModelConfig;
import dev.infer4j.formats.hf.HfQuantization;
import dev.infer4j.formats.hf.HfQuantizedLinear;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.int4.PackedMatrix;
import dev.infer4j.formats.safetensors.SafetensorsCheckpoint;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.KvType;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GPTQ act-order ({@code desc_act: true}) end to end on a real model: TinyStories-656K's F32 checkpoint with every
 * linear layer quantized to 4 bits under a seeded random column permutation ({@link ActOrderGptqFixture}), loaded
 * by the runtime from a GPTQ directory, against its twin, an F32 directory holding the dequantized weights decoded
 * by {@link GptqV1Dequantizer}. Both models then compute the same function up to float rounding: the GPTQ kernel
 * applies each group as {@code s·(Σ q·x − z·Σ x)} where the twin sums {@code s·(q − z)·x}, a reassociation of F32
 * sums that measured at most 1.7e-5 on logits spanning about 32 (5e-7 of the range; the K/V cache is F32 so nothing
 * else differs). The tolerance, 1e-5 of the twin's logit range, leaves twenty times that for other summation
 * orders (vector widths, thread splits) and is still about four orders of magnitude below what swapping the groups
 * of just two columns per layer does (9e-2 of the range), which the second test proves.
 */
class ActOrderGptqMatchesDequantizedTwinTest {
    private static final Path SOURCE = SharedData.file("models/safetensors/TinyStories-656K-F32");
    private static final String[] PROMPTS = {"Once upon a time", "The dog ran", "Mom said to Ben,"};
    private static final int STEPS = 32;
    /** Largest last-position logit difference allowed, as a fraction of the twin's logit range (see above). */
    private static final float RELATIVE_TOLERANCE = 1e-5f;
    private static Kernels kernels;

    @BeforeAll
    static void openKernels() {
        kernels = Kernels.load(0);
    }

    @AfterAll
    static void closeKernels() {
        kernels.close();
    }

    @ParameterizedTest(name = "4-bit group {0} sym={1}")
    @CsvSource({"32, true", "64, false"})
    void actOrderCheckpointRunsLikeItsDequantizedTwin(int groupSize, boolean symmetric, @TempDir Path tmp)
            throws IOException {
        ActOrderGptqFixture fixture = ActOrderGptqFixture.quantize(SOURCE, groupSize, symmetric, 7 + groupSize);
        Path gptq = tmp.resolve("gptq");
        Path twin = tmp.resolve("twin");
        fixture.writeGptq(gptq, UnaryOperator.identity());
        fixture.writeTwin(twin);
        assertGroupIndexIsPermuted(fixture, gptq);
        assertTwinIsWithinOneStepOfTheOriginal(fixture);

        List<GreedyRun> expected = run(twin);
        List<GreedyRun> actual = run(gptq);
        LogitGap gap = LogitGap.between(expected, actual);
        System.out.printf("act-order GPTQ g%d sym=%b vs twin: max |logit diff| %.3g over a range of %.3g (%.3g)%n",
                groupSize, symmetric, gap.maxDiff(), gap.range(), gap.relative());
        for (int i = 0; i < PROMPTS.length; i++) {
            assertArrayEquals(expected.get(i).tokens(), actual.get(i).tokens(), "'" + PROMPTS[i]
                    + "': act-order GPTQ " + Arrays.toString(actual.get(i).tokens()) + " vs dequantized twin "
                    + Arrays.toString(expected.get(i).tokens()));
        }
        assertTrue(gap.relative() <= RELATIVE_TOLERANCE, "last-position logits differ from the twin by "
                + gap.maxDiff() + " at token " + gap.token() + " of '" + PROMPTS[gap.prompt()] + "', "
                + gap.relative() + " of the logit range " + gap.range() + " (allowed " + RELATIVE_TOLERANCE + ")");
    }

    @Test
    void misreadGroupIndexMovesLogitsFarBeyondTheTolerance(@TempDir Path tmp) throws IOException {
        ActOrderGptqFixture fixture = ActOrderGptqFixture.quantize(SOURCE, 32, false, 39);
        fixture.writeTwin(tmp.resolve("twin"));
        List<GreedyRun> expected = run(tmp.resolve("twin"));
        int[] swapped = {0};
        fixture.writeGptq(tmp.resolve("swapped"), gIdx -> {
            swapped[0]++;
            return swapFirstColumnWithAnotherGroup(gIdx);
        });
        fixture.writeGptq(tmp.resolve("ignored"), gIdx -> sequentialGroups(gIdx.length, fixture.groupSize()));
        assertEquals(fixture.layers().size(), swapped[0], "every layer's g_idx was corrupted");

        LogitGap swap = LogitGap.between(expected, run(tmp.resolve("swapped")));
        LogitGap ignore = LogitGap.between(expected, run(tmp.resolve("ignored")));
        System.out.printf("g_idx with two columns' groups swapped per layer: %.3g of the logit range; "
                + "g_idx read as c/group_size: %.3g%n", swap.relative(), ignore.relative());
        assertTrue(swap.relative() > 1000 * RELATIVE_TOLERANCE, "swapping the groups of two columns per layer moved "
                + "the logits by only " + swap.relative() + " of their range: the comparison cannot see g_idx");
        assertTrue(ignore.relative() > 1000 * RELATIVE_TOLERANCE, "ignoring g_idx moved the logits by only "
                + ignore.relative() + " of their range: the comparison cannot see g_idx");
    }

    /** The stored g_idx is a real permutation of groups, and the loader's matrix sees it as non-consecutive. */
    private static void assertGroupIndexIsPermuted(ActOrderGptqFixture fixture, Path gptq) {
        HfQuantization q = HfModelConfig.read(gptq).quantization();
        assertTrue(q.descAct(), "config.json desc_act");
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(gptq)) {
            for (Map.Entry<String, ActOrderGptqFixture.Layer> e : fixture.layers().entrySet()) {
                PackedMatrix p = e.getValue().packed();
                int[] gIdx = p.groupIndex();
                int moved = 0;
                int[] members = new int[p.cols() / fixture.groupSize()];
                for (int c = 0; c < gIdx.length; c++) {
                    members[gIdx[c]]++;
                    if (gIdx[c] != c / fixture.groupSize()) {
                        moved++;
                    }
                }
                assertTrue(moved > gIdx.length / 4, e.getKey() + ": only " + moved + " of " + gIdx.length
                        + " columns left their sequential group");
                for (int g = 0; g < members.length; g++) {
                    assertEquals(fixture.groupSize(), members[g], e.getKey() + ": members of group " + g);
                }
                GroupQuantizedMatrix m = HfQuantizedLinear.read(checkpoint, e.getKey(), q, p.rows(), p.cols());
                assertFalse(m.hasConsecutiveGroups(), e.getKey() + ": the loader sees consecutive groups");
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Round to nearest leaves each weight within one step of its group's scale (half a step, or a whole one where a
     * symmetric range clamps its top value): this checks the oracle's decoding against the weights themselves, so
     * the twin is not merely whatever the same misreading of g_idx would produce.
     */
    private static void assertTwinIsWithinOneStepOfTheOriginal(ActOrderGptqFixture fixture) {
        for (Map.Entry<String, ActOrderGptqFixture.Layer> e : fixture.layers().entrySet()) {
            PackedMatrix p = e.getValue().packed();
            float[] original = e.getValue().original();
            float[] twin = e.getValue().dequantized();
            for (int r = 0; r < p.rows(); r++) {
                for (int c = 0; c < p.cols(); c++) {
                    float step = Float.float16ToFloat(p.scales()[p.groupIndex()[c] * p.rows() + r]);
                    float error = Math.abs(twin[r * p.cols() + c] - original[r * p.cols() + c]);
                    if (error > step * 1.001f) {
                        throw new AssertionError(e.getKey() + "[" + r + "][" + c + "]: dequantized "
                                + twin[r * p.cols() + c] + " vs original " + original[r * p.cols() + c]
                                + ", more than one step " + step);
                    }
                }
            }
        }
    }

    private static int[] swapFirstColumnWithAnotherGroup(int[] gIdx) {
        for (int c = 1; c < gIdx.length; c++) {
            if (gIdx[c] != gIdx[0]) {
                int g = gIdx[0];
                gIdx[0] = gIdx[c];
                gIdx[c] = g;
                return gIdx;
            }
        }
        throw new AssertionError("every column is in one group");
    }

    private static int[] sequentialGroups(int cols, int groupSize) {
        int[] gIdx = new int[cols];
        for (int c = 0; c < cols; c++) {
            gIdx[c] = c / groupSize;
        }
        return gIdx;
    }

    private static List<GreedyRun> run(Path dir) {
        // An F32 cache keeps K/V rounding out of the comparison: only the linear layers' arithmetic differs.
        try (HfModel model = HfModel.load(dir, kernels, KvCacheSpec.forPositions(64).withType(KvType.F32))) {
            List<GreedyRun> runs = new ArrayList<>();
            for (String prompt : PROMPTS) {
                runs.add(GreedyRun.of(model.model(), model.tokenizer().encode(prompt, true, false), STEPS));
            }
            return runs;
        }
    }

    /** The largest last-position logit difference over the prompts, and the twin's logit range. */
    private record LogitGap(float maxDiff, float range, int prompt, int token) {
        static LogitGap between(List<GreedyRun> expected, List<GreedyRun> actual) {
            float maxDiff = -1f;
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            int prompt = 0;
            int token = 0;
            for (int i = 0; i < expected.size(); i++) {
                float[] want = expected.get(i).firstLogits();
                float[] got = actual.get(i).firstLogits();
                for (int t = 0; t < want.length; t++) {
                    min = Math.min(min, want[t]);
                    max = Math.max(max, want[t]);
                    float diff = Math.abs(want[t] - got[t]);
                    if (!(diff <= maxDiff) && !Float.isNaN(maxDiff)) { // a NaN, once seen, stays
                        maxDiff = diff;
                        prompt = i;
                        token = t;
                    }
                }
            }
            return new LogitGap(maxDiff, max - min, prompt, token);
        }

        float relative() {
            return maxDiff / range;
        }
    }
}
