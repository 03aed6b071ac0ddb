package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.I;

import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * The lane bookkeeping of the Q2_K and Q3_K kernels, which keep sixteen per-lane integers like their float
 * predecessors did. Their 16-bit products pair an even and an odd value of each run of 32 against
 * {@link PreparedInput#evenOddQuants()}, so even values collect in one int accumulator and odd ones in another;
 * per super-block the two are folded into one vector holding the even values' lanes in 0..7 and the odd values'
 * in 8..15, and once per row {@link #NATURAL} puts the float lanes back in column order.
 */
final class EvenOddLanes {
    /** Lanes 8..15 of the int accumulators. */
    static final VectorMask<Integer> UPPER = VectorMask.fromLong(I, 0xFF00L);
    /** Lane i takes lane i ± 8. */
    static final VectorShuffle<Integer> SWAP_HALVES = VectorShuffle.fromOp(I, i -> (i + 8) & 15);
    /** Natural lane i from the accumulator order (even values in lanes 0..7, odd ones in 8..15). */
    static final VectorShuffle<Float> NATURAL = VectorShuffle.fromOp(F, i -> (i & 1) * 8 + i / 2);
    /** Sixteen lane indices per run r of 32 values: lanes 0..7 pick 16-value scale 2r, lanes 8..15 scale 2r+1. */
    static final short[] SCALE_LANES = new short[8 * 16];

    static {
        for (int r = 0; r < 8; r++) {
            for (int lane = 0; lane < 16; lane++) {
                SCALE_LANES[16 * r + lane] = (short) (2 * r + lane / 8);
            }
        }
    }

    private EvenOddLanes() {
    }
}
