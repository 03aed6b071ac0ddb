package dev.infer4j.formats.quant;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte packing of eight 6-bit (scale, min) pairs shared by Q4_K and Q5_K: pairs 0-3 sit in the low six
 * bits of bytes 0-3 (scales) and 4-7 (mins); pairs 4-7 keep their low nibbles in bytes 8-11 and their top two
 * bits in the high bits of bytes 0-7.
 */
final class ScaleMinPacking {
    static final int BYTES = 12;

    private ScaleMinPacking() {
    }

    /** Packs scale {@code ls} and min {@code lm} (each 0..63) of group {@code j} into {@code packed}. */
    static void put(byte[] packed, int j, int ls, int lm) {
        if (j < 4) {
            packed[j] = (byte) ls;
            packed[j + 4] = (byte) lm;
        } else {
            packed[j + 4] = (byte) ((ls & 0xF) | ((lm & 0xF) << 4));
            packed[j - 4] |= (byte) ((ls >>> 4) << 6);
            packed[j] |= (byte) ((lm >>> 4) << 6);
        }
    }

    /** The scale of group {@code j}. */
    static int scale(byte[] q, int j) {
        return j < 4 ? q[j] & 63 : (q[j + 4] & 0xF) | (((q[j - 4] & 0xFF) >>> 6) << 4);
    }

    /** The min of group {@code j}. */
    static int min(byte[] q, int j) {
        return j < 4 ? q[j + 4] & 63 : ((q[j + 4] & 0xFF) >>> 4) | (((q[j] & 0xFF) >>> 6) << 4);
    }

    /** Reads the 12 packed bytes at {@code at}. */
    static void read(MemorySegment s, long at, byte[] into) {
        MemorySegment.copy(s, java.lang.foreign.ValueLayout.JAVA_BYTE, at, into, 0, BYTES);
    }

    /** Chooses the 6-bit scales and mins of eight groups and the two halves that multiply them. */
    static void encode(float[] scales, float[] mins, float maxScale, float maxMin, byte[] packed) {
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        java.util.Arrays.fill(packed, (byte) 0);
        for (int j = 0; j < 8; j++) {
            // ggml stores nearest_int into a uint8_t before clamping
            int ls = Math.min(63, ScaleSearch.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, ScaleSearch.nearestInt(invMin * mins[j]) & 0xFF);
            put(packed, j, ls, lm);
        }
    }
}
