package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.I;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * The twelve bytes that pack a Q4_K or Q5_K super-block's eight 6-bit scales and eight 6-bit mins, unpacked four
 * to an int, one per byte. With {@code w0, w1, w2} the three little-endian words of those bytes: scales 0..3 are
 * the low six bits of {@code w0}'s bytes, mins 0..3 those of {@code w1}'s; scale and min {@code 4 + j} take their
 * low four bits from byte {@code j} of {@code w2} (scale the low nibble, min the high one) and their top two bits
 * from the top two bits of byte {@code j} of {@code w0} (scale) or {@code w1} (min).
 */
final class KQuantScales {
    /** Lanes 8..15 of a 16-lane int vector: they take the four mins packed in the second word. */
    static final VectorMask<Integer> SECOND_WORD = VectorMask.fromLong(I, 0xFF00L);
    /** Per lane l, the shift that brings min {@code l/2} to the low byte of its packed word. */
    static final int[] MIN_SHIFTS = {0, 0, 8, 8, 16, 16, 24, 24, 0, 0, 8, 8, 16, 16, 24, 24};
    /**
     * {@link #MIN_SHIFTS} for an eight-lane (256-bit) int vector: one word's four mins, each twice. The 256-bit
     * kernels shift the first word's mins and the second word's apart instead of blending them into one vector.
     */
    static final int[] MIN_SHIFTS_256 = {0, 0, 8, 8, 16, 16, 24, 24};

    private KQuantScales() {
    }

    /** Scales 0..3, one per byte. */
    static int scalesLow(int w0) {
        return w0 & 0x3f3f3f3f;
    }

    /** Scales 4..7, one per byte. */
    static int scalesHigh(int w0, int w2) {
        return (w2 & 0x0f0f0f0f) | (((w0 >>> 6) & 0x03030303) << 4);
    }

    /** Mins 0..3, one per byte. */
    static int minsLow(int w1) {
        return w1 & 0x3f3f3f3f;
    }

    /** Mins 4..7, one per byte. */
    static int minsHigh(int w1, int w2) {
        return ((w2 >>> 4) & 0x0f0f0f0f) | (((w1 >>> 6) & 0x03030303) << 4);
    }

    /**
     * {@code Σ_j min_j · (bsum[2j] + bsum[2j+1])} over the eight 32-value sub-blocks, in int lanes: lane l takes
     * min {@code l/2} times the 16-value sum {@code bsums[base + l]}. Exact.
     */
    static int minSum16(int[] bsums, int base, int mLow, int mHigh) {
        IntVector m = IntVector.broadcast(I, mLow).blend(mHigh, SECOND_WORD)
                .lanewise(VectorOperators.LSHR, IntVector.fromArray(I, MIN_SHIFTS, 0)).and(0xFF);
        return IntVector.fromArray(I, bsums, base).mul(m).reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #minSum16} in 256-bit vectors, for the 256-bit kernels (a 512-bit vector on an AVX2 CPU runs in the
     * Vector API's slow Java fallback): the sixteen 16-value sums as two vectors of eight, the first taking mins
     * 0..3 from {@code mLow}, the second mins 4..7 from {@code mHigh}. Integer and exact, so the same sum.
     */
    static int minSum16W256(int[] bsums, int base, int mLow, int mHigh) {
        IntVector shifts = IntVector.fromArray(Lanes256.I, MIN_SHIFTS_256, 0);
        IntVector low = IntVector.broadcast(Lanes256.I, mLow).lanewise(VectorOperators.LSHR, shifts).and(0xFF);
        IntVector high = IntVector.broadcast(Lanes256.I, mHigh).lanewise(VectorOperators.LSHR, shifts).and(0xFF);
        return IntVector.fromArray(Lanes256.I, bsums, base).mul(low)
                .add(IntVector.fromArray(Lanes256.I, bsums, base + 8).mul(high)).reduceLanes(VectorOperators.ADD);
    }
}
