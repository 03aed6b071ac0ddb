package dev.infer4j.kernels.cpu.matmul;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infer4j.kernels.cpu.VectorWidth;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The activation formats equal the oracle transcriptions of ggml's quantizers, value for value. */
class PreparedInputTest {

    private static float[] activations(int tokens, int stride, Random random) {
        float[] x = new float[Math.max(tokens * stride, 1024) + 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian()));
        }
        // an all-zero block, exact ties, and a block whose largest magnitude is negative
        java.util.Arrays.fill(x, 7, 7 + 256, 0f);
        for (int j = 0; j < 32; j++) {
            x[7 + 512 + j] = j % 2 == 0 ? 127f : (j - 16) + 0.5f;
        }
        x[7 + 768 + 5] = -1000f;
        return x;
    }

    /**
     * Both vector widths fill every buffer identically, on rows of whole and incomplete groups of four blocks and
     * on batches that are not a multiple of four tokens.
     */
    @Test
    void bothVectorWidthsPrepareTheSameBuffers() {
        Random random = new Random(5);
        for (int cols : new int[] {1024, 352}) {
            int stride = cols + 3;
            int tokens = 5;
            float[] x = activations(tokens, stride, random);
            for (ActivationFormat format : new ActivationFormat[] {ActivationFormat.Q8_0, ActivationFormat.Q8_1}) {
                PreparedInput wide = new PreparedInput(VectorWidth.W512)
                        .prepare(format, x, 7, stride, tokens, cols);
                PreparedInput narrow = new PreparedInput(VectorWidth.W256)
                        .prepare(format, x, 7, stride, tokens, cols);
                String what = format + " " + cols + " columns: ";
                assertArrayEquals(wide.values(), narrow.values(), what + "values");
                assertArrayEquals(wide.quants(), narrow.quants(), what + "quants");
                assertArrayEquals(wide.scales(), narrow.scales(), what + "scales");
                assertArrayEquals(wide.sums(), narrow.sums(), what + "sums");
                assertArrayEquals(wide.quadQuants(), narrow.quadQuants(),
                        what + "quad quants");
                assertArrayEquals(wide.quadBias(), narrow.quadBias(), what + "quad bias");
                assertArrayEquals(wide.quadScales(), narrow.quadScales(),
                        what + "quad scales");
                assertArrayEquals(wide.tileValues(), narrow.tileValues(),
                        what + "tile values");
                assertArrayEquals(wide.tileScales(), narrow.tileScales(),
                        what + "tile scales");
            }
        }
    }

    @Test
    void q8_0AndQ8_1MatchGgml() {
        Random random = new Random(1);
        int cols = 1024;
        int stride = cols + 3;
        int tokens = 3;
        float[] x = activations(tokens, stride, random);
        PreparedInput in = new PreparedInput();
        for (ActivationFormat format : new ActivationFormat[] {ActivationFormat.Q8_0, ActivationFormat.Q8_1}) {
            assertSame(in, in.prepare(format, x, 7, stride, tokens, cols));
            for (int t = 0; t < tokens; t++) {
                GgmlOracle.Q8Row want = GgmlOracle.quantizeQ8(x, 7 + t * stride, cols, true);
                for (int i = 0; i < cols; i++) {
                    assertEquals(want.qs()[i], in.values()[t * cols + i], format + " quant " + i + " token " + t);
                    assertEquals(want.qs()[i], in.quants()[t * cols + i], format + " short quant " + i + " token " + t);
                }
                for (int b = 0; b < cols / 32; b++) {
                    assertEquals(want.d()[b], in.scales()[t * cols / 32 + b], format + " scale " + b);
                    if (format == ActivationFormat.Q8_1) {
                        assertEquals(want.s()[b], in.sums()[t * cols / 32 + b], "Q8_1 sum " + b);
                    }
                }
            }
        }
    }

    @Test
    void q8_KMatchesGgml() {
        Random random = new Random(2);
        int cols = 1024;
        int tokens = 2;
        float[] x = activations(tokens, cols, random);
        PreparedInput in = new PreparedInput().prepare(ActivationFormat.Q8_K, x, 7, cols, tokens, cols);
        for (int t = 0; t < tokens; t++) {
            GgmlOracle.Q8Row want = GgmlOracle.quantizeQ8K(x, 7 + t * cols, cols);
            for (int i = 0; i < cols; i++) {
                int evenOdd = t * cols + i / 32 * 32 + (i % 2) * 16 + i % 32 / 2;
                assertEquals(want.qs()[i], in.evenOddQuants()[evenOdd], "Q8_K even/odd quant " + i + " token " + t);
            }
            for (int b = 0; b < cols / 256; b++) {
                assertEquals(want.d()[b], in.scales()[t * cols / 256 + b], "Q8_K scale " + b);
            }
            for (int g = 0; g < cols / 16; g++) {
                assertEquals(want.bsums()[g], in.blockSums()[t * cols / 16 + g], "Q8_K 16-sum " + g);
            }
        }
    }

    @Test
    void halfAndBfloatRoundingMatchGgml() {
        Random random = new Random(3);
        float[] x = activations(1, 512, random);
        PreparedInput in = new PreparedInput().prepare(ActivationFormat.F16, x, 0, 512, 1, 512);
        for (int i = 0; i < 512; i++) {
            assertEquals(GgmlOracle.f16(x[i]), in.values()[i], "F16 " + i);
        }
        in.prepare(ActivationFormat.BF16, x, 0, 512, 1, 512);
        for (int i = 0; i < 512; i++) {
            assertEquals(GgmlOracle.bf16(x[i]), in.values()[i], "BF16 " + i);
        }
        assertEquals(Float.NaN, PreparedInput.roundToBf16(Float.NaN));
    }

    @Test
    void refusesRowsThatAreNotWholeBlocksOrDoNotFit() {
        PreparedInput in = new PreparedInput();
        var partial = assertThrows(IllegalArgumentException.class,
                () -> in.prepare(ActivationFormat.Q8_K, new float[300], 0, 300, 1, 300));
        assertEquals("Q8_K activations need a multiple of 256 columns, got 300", partial.getMessage());
        var outside = assertThrows(IllegalArgumentException.class,
                () -> in.prepare(ActivationFormat.Q8_0, new float[64], 0, 40, 2, 32));
        assertEquals("x holds 64 floats, the batch needs up to index 72", outside.getMessage());
    }
}
