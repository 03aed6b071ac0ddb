package dev.infer4j.kernels.cpu.int4;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link AwqOrder} for eight-lane (256-bit, AVX2) vectors: the lane moves that put an AWQ run's nibble sums into
 * output order.
 *
 * <p>The 256-bit kernel ({@link GroupQuant256#awqApply}) keeps the 512-bit kernel's nibble-order layout: output
 * {@code o = 8l + i} (word lane {@code l} of sixteen, output offset {@code i}) sits at float {@code 16i + l}, which
 * as eight-lane vectors is vector {@code 2i + (l >> 3)}, lane {@code l & 7}. Output bits 3–5 are thus on the lane
 * bits, output bit 6 on vector bit 0 and output bits 0–2 on vector bits 1–3. Round {@code k} (0, 1, 2) pairs the
 * vectors that differ in vector bit {@code k + 1} and swaps that bit with lane bit {@code k}; afterwards output bits
 * 0–2 are on the lane bits and vector {@code v} holds outputs {@code 8·(v/2 + 8·(v mod 2))} onward, a renaming
 * of whole vectors that costs nothing ({@link #outputVector}).
 *
 * <p>Why not the 512-bit kernel's two-vector selects: AVX2 has no {@code vpermi2ps}. Swapping one lane bit between
 * a pair is one constant lane permutation ({@code vpermps}) and one blend per result vector instead. Only floats
 * move, so the values, and hence the results, are the 512-bit kernel's bit for bit.
 */
final class AwqOrder256 {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    /** Rounds of swaps. */
    static final int ROUNDS = 3;
    /** Lane {@code l} takes lane {@code l ^ 1}. */
    static final VectorShuffle<Float> FLIP_1 = flip(1);
    /** Lane {@code l} takes lane {@code l ^ 2}. */
    static final VectorShuffle<Float> FLIP_2 = flip(2);
    /** Lane {@code l} takes lane {@code l ^ 4}: the two 128-bit halves trade places. */
    static final VectorShuffle<Float> FLIP_4 = flip(4);
    /** The lanes whose bit 0 is set. */
    static final VectorMask<Float> BIT_1 = bit(1);
    /** The lanes whose bit 1 is set. */
    static final VectorMask<Float> BIT_2 = bit(2);
    /** The lanes whose bit 2 is set. */
    static final VectorMask<Float> BIT_4 = bit(4);

    static {
        // follow every output through the three rounds and the final renaming, so a wrong derivation fails at
        // class load instead of as wrong numbers
        int[] at = new int[128];
        for (int l = 0; l < 16; l++) {
            for (int i = 0; i < 8; i++) {
                at[8 * l + i] = 16 * i + l;
            }
        }
        for (int k = 0; k < ROUNDS; k++) {
            int laneBit = 1 << k;
            int vectorBit = 8 << (k + 1);
            for (int o = 0; o < 128; o++) {
                int s = at[o];
                int swapped = s & ~(laneBit | vectorBit);
                swapped |= (s & laneBit) != 0 ? vectorBit : 0;
                swapped |= (s & vectorBit) != 0 ? laneBit : 0;
                at[o] = swapped;
            }
        }
        for (int o = 0; o < 128; o++) {
            int v = at[o] / 8;
            if (8 * outputVector(v) + at[o] % 8 != o) {
                throw new AssertionError("output " + o + " ends in vector " + v + " lane " + at[o] % 8);
            }
        }
    }

    private AwqOrder256() {
    }

    /** The output vector (outputs {@code 8·result} onward) that vector {@code v} holds after the three rounds. */
    static int outputVector(int v) {
        return (v >> 1) + 8 * (v & 1);
    }

    private static VectorShuffle<Float> flip(int bit) {
        int[] lanes = new int[8];
        for (int l = 0; l < 8; l++) {
            lanes[l] = l ^ bit;
        }
        return VectorShuffle.fromArray(F, lanes, 0);
    }

    private static VectorMask<Float> bit(int bit) {
        boolean[] set = new boolean[8];
        for (int l = 0; l < 8; l++) {
            set[l] = (l & bit) != 0;
        }
        return VectorMask.fromArray(F, set, 0);
    }
}
