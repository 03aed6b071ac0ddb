package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The activation formats (no llama.cpp file holds them): Q8_1 must carry exactly Q8_0's scale and codes (Q8_0 is
 * proven against llama-quantize) plus {@code s = fp16(d * sum q)}; Q8_K follows {@code quantize_row_q8_K_ref}.
 */
class ActivationQuantizeTest {

    private static float[] randomRow(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
        }
        return x;
    }

    @Test
    void q8_1HasQ8_0ScaleAndCodesPlusTheScaledSum() {
        float[] x = randomRow(256, 1);
        ByteBuffer q80 = ByteBuffer.wrap(Quantize.rows(GgmlType.Q8_0, x, 0, 1, 256)).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer q81 = ByteBuffer.wrap(Quantize.rows(GgmlType.Q8_1, x, 0, 1, 256)).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < 8; b++) {
            short d = q80.getShort(34 * b);
            assertEquals(d, q81.getShort(36 * b), "d of block " + b);
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                assertEquals(q80.get(34 * b + 2 + j), q81.get(36 * b + 4 + j), "code " + j + " of block " + b);
                sum += q81.get(36 * b + 4 + j);
            }
            float amax = 0;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[32 * b + j]));
            }
            // ggml multiplies by the float scale, before it is rounded to half
            assertEquals(HalfPrecision.toF16(sum * (amax / 127)), q81.getShort(36 * b + 2), "s of block " + b);
        }
    }

    @Test
    void q8_0RoundsHalvesAwayFromZeroLikeRoundf() {
        // amax 127 gives d = 1 exactly, so the codes are roundf of the inputs
        float[] x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = -2.5f;
        x[3] = 0.49999997f;
        x[4] = -126.5f;
        byte[] q = Quantize.rows(GgmlType.Q8_0, x, 0, 1, 32);
        assertEquals(127, q[2]);
        assertEquals(3, q[3]);
        assertEquals(-3, q[4]);
        assertEquals(0, q[5]);
        assertEquals(-127, q[6]);
    }

    @Test
    void q8_KMapsTheSignedExtremeToMinus127AndStoresGroupSums() {
        float[] x = randomRow(512, 2);
        x[17] = 10f;
        x[40] = -9.9f;
        ByteBuffer q = ByteBuffer.wrap(Quantize.rows(GgmlType.Q8_K, x, 0, 1, 512)).order(ByteOrder.LITTLE_ENDIAN);
        float iscale = -127.f / 10f;
        assertEquals(Float.floatToIntBits(1 / iscale), Float.floatToIntBits(q.getFloat(0)), "d");
        assertEquals(-127, q.get(4 + 17));
        assertEquals(126, q.get(4 + 40), "-9.9 * -12.7 = 125.73 rounds to 126");
        for (int b = 0; b < 2; b++) {
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int j = 0; j < 16; j++) {
                    sum += q.get(292 * b + 4 + 16 * g + j);
                }
                assertEquals(sum, q.getShort(292 * b + 4 + 256 + 2 * g), "bsum " + g + " of block " + b);
            }
        }
        float[] back = new float[512];
        Dequantize.row(GgmlType.Q8_K, MemorySegment.ofBuffer(q), 0, back, 0, 512);
        for (int i = 0; i < 512; i++) {
            float d = q.getFloat(292 * (i / 256));
            assertTrue(Math.abs(back[i] - x[i]) <= Math.abs(d) * 0.5f + 1e-6f, "value " + i);
        }
    }

    @Test
    void q8_KOfZerosIsAllZero() {
        byte[] q = Quantize.rows(GgmlType.Q8_K, new float[256], 0, 1, 256);
        assertArrayEquals(new byte[292], q);
    }

    @Test
    void halvesRoundLikeGgml() {
        assertEquals((short) 0x3C00, HalfPrecision.toF16(1.0f));
        assertEquals((short) 0x3C00, HalfPrecision.toF16(Float.intBitsToFloat(0x3F801000)), "tie to even");
        assertEquals((short) 0x3C02, HalfPrecision.toF16(Float.intBitsToFloat(0x3F803000)), "tie to even, up");
        assertEquals((short) 0x7E00, HalfPrecision.toF16(Float.NaN));
        assertEquals((short) 0x3F80, HalfPrecision.toBf16(Float.intBitsToFloat(0x3F808000)), "bf16 tie to even");
        assertEquals((short) 0x3F82, HalfPrecision.toBf16(Float.intBitsToFloat(0x3F818000)), "bf16 tie to even, up");
        assertEquals((short) 0x7FC0, HalfPrecision.toBf16(Float.intBitsToFloat(0x7F800001)), "bf16 NaN made quiet");
        assertEquals((short) 0xFFC0, HalfPrecision.toBf16(Float.intBitsToFloat(0xFF800001)), "negative NaN");
        assertEquals((short) 0x0001, HalfPrecision.toBf16(Float.intBitsToFloat(0x00010000)), "subnormal kept");
    }

    @Test
    void refusedTypesAreNamed() {
        UnsupportedTypeException e = assertThrows(UnsupportedTypeException.class,
                () -> Dequantize.row(GgmlType.IQ2_XXS, MemorySegment.ofArray(new byte[66]), 0, new float[256], 0, 256));
        assertTrue(e.getMessage().contains("IQ2_XXS"), e.getMessage());
        assertEquals(GgmlType.IQ2_XXS, e.type());
        assertThrows(UnsupportedTypeException.class, () -> Quantize.rows(GgmlType.MXFP4, new float[32], 0, 1, 32));
        assertThrows(IllegalArgumentException.class, () -> Quantize.rows(GgmlType.Q4_0, new float[48], 0, 1, 48));
    }
}
