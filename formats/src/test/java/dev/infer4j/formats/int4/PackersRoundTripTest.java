package dev.infer4j.formats.int4;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random weights packed by our implementations of AutoGPTQ's and AutoAWQ's packers, then read back through
 * {@link GroupQuantizedMatrix}: every quantized value, zero point and scale must come back as packed, and every
 * dequantized weight must lie within half a quantization step of the original (round to nearest).
 */
class PackersRoundTripTest {

    @ParameterizedTest(name = "GPTQ {0}-bit group {1} sym={2} act-order={3} v1={4}")
    @CsvSource({
            "4, 128, true, false, true", "4, 128, false, false, true", "4, 32, false, false, true",
            "4, 64, true, false, false", "4, -1, false, false, true", "4, 32, false, true, true",
            "4, 128, true, true, true", "8, 64, false, false, true", "8, 32, true, true, true",
            "2, 32, false, false, true", "2, 64, true, true, false"})
    void gptqPackingRoundTrips(int bits, int groupSize, boolean sym, boolean actOrder, boolean v1) {
        int rows = 96;
        int cols = 256;
        Random random = new Random(bits * 1000L + groupSize);
        float[] w = gaussian(random, rows * cols);
        int[] gIdx = actOrder ? actOrderGroups(random, cols, groupSize == -1 ? cols : groupSize) : null;
        PackedMatrix p = GptqPacker.pack(w, rows, cols, bits, groupSize, sym, gIdx, v1);
        try (Arena arena = Arena.ofConfined()) {
            GroupQuantizedMatrix m = p.toMatrix("test", arena);
            assertEquals(!actOrder, m.hasConsecutiveGroups(), "consecutive groups");
            check(w, p, m);
        }
    }

    @ParameterizedTest(name = "AWQ group {0}")
    @CsvSource({"128", "64", "32", "-1"})
    void awqPackingRoundTrips(int groupSize) {
        int rows = 136;
        int cols = 256;
        Random random = new Random(groupSize + 7);
        float[] w = gaussian(random, rows * cols);
        PackedMatrix p = AwqPacker.pack(w, rows, cols, groupSize);
        try (Arena arena = Arena.ofConfined()) {
            check(w, p, p.toMatrix("test", arena));
        }
    }

    @org.junit.jupiter.api.Test
    void awqNibbleOrderIsAutoAwqs() {
        // output 8w+k sits in nibble j with ORDER[j] = k, ORDER = 0,2,4,6,1,3,5,7
        int[] order = {0, 2, 4, 6, 1, 3, 5, 7};
        for (int j = 0; j < 8; j++) {
            assertEquals(j, PackedLayout.awqNibbleOf(order[j]));
            assertEquals(order[j], PackedLayout.awqOutputOf(j));
        }
        float[] w = new float[8 * 16];
        // row r holds r, apart from a 0 and a 15 that fix its scale at 1 and its zero at 0: so q(r, 2) = r
        for (int r = 0; r < 8; r++) {
            java.util.Arrays.fill(w, r * 16, r * 16 + 16, r);
            w[r * 16] = 0f;
            w[r * 16 + 1] = 15f;
        }
        PackedMatrix p = AwqPacker.pack(w, 8, 16, -1);
        int expected = 0;
        for (int j = 0; j < 8; j++) {
            expected |= order[j] << (4 * j);
        }
        assertEquals(Integer.toHexString(expected), Integer.toHexString(p.qweight()[2]), "word of input 2");
    }

    private static void check(float[] w, PackedMatrix p, GroupQuantizedMatrix m) {
        int rows = p.rows();
        int cols = p.cols();
        int maxq = (1 << p.bits()) - 1;
        for (int g = 0; g < m.groups(); g++) {
            for (int r = 0; r < rows; r++) {
                int zero = p.zeros()[g * rows + r];
                assertTrue(zero > 0 || p.zeroOffset() == 0, "fixture keeps clear of v1's unstorable zero 0");
                assertEquals(zero, m.zero(g, r), "zero of group " + g + " row " + r);
                assertEquals(Float.float16ToFloat(p.scales()[g * rows + r]), m.scale(g, r), "scale of group " + g + " row " + r);
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int q = p.quants()[r * cols + c];
                if (m.quant(r, c) != q) {
                    fail("value (" + r + ", " + c + ") unpacks as " + m.quant(r, c) + ", was packed as " + q);
                }
                int g = m.groupOf(c);
                float s = m.scale(g, r);
                float deq = m.dequantize(r, c);
                assertEquals(s * (q - m.zero(g, r)), deq, 0f, "dequantized (" + r + ", " + c + ")");
                boolean clamped = q == 0 || q == maxq;
                if (!clamped && Math.abs(deq - w[r * cols + c]) > 0.5f * s * 1.001f + 1e-6f) {
                    fail("(" + r + ", " + c + ") dequantizes to " + deq + ", more than half a step " + s + " from " + w[r * cols + c]);
                }
            }
        }
    }

    private static float[] gaussian(Random random, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) random.nextGaussian() * 0.05f;
        }
        return w;
    }

    /** AutoGPTQ's act-order: columns taken in a permuted order, group i/groupSize given to the i-th column taken. */
    static int[] actOrderGroups(Random random, int cols, int groupSize) {
        int[] perm = new int[cols];
        for (int i = 0; i < cols; i++) {
            perm[i] = i;
        }
        for (int i = cols - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] gIdx = new int[cols];
        for (int i = 0; i < cols; i++) {
            gIdx[perm[i]] = i / groupSize;
        }
        return gIdx;
    }
}
