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
 * in 8..15, and once per row {@link #NATURAL} puts the float lanes back in column order. The 256-bit kernels
 * keep the same lanes as two eight-lane vectors and reorder them with {@link #naturalOrder}.
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
    /**
     * {@link #SCALE_LANES} as bytes, for the 256-bit kernels: on AVX2 a byte shuffle is one instruction, a 16-bit
     * one is emulated.
     */
    static final byte[] SCALE_BYTES = new byte[8 * 16];

    static {
        for (int r = 0; r < 8; r++) {
            for (int lane = 0; lane < 16; lane++) {
                SCALE_LANES[16 * r + lane] = (short) (2 * r + lane / 8);
                SCALE_BYTES[16 * r + lane] = (byte) (2 * r + lane / 8);
            }
        }
    }

    private EvenOddLanes() {
    }

    /**
     * {@link #NATURAL} for the 256-bit kernels ({@code Q2_KMatmul256}, {@code Q3_KMatmul256}), which keep the
     * sixteen float lanes as two eight-lane vectors stored at {@code lanes[offset..offset+15]}: puts those lanes
     * in column order in place, as the 512-bit kernels' rearrange does in a register. Once per row and with no
     * vectors, so plain moves (an eight-lane shuffle cannot draw on both halves).
     */
    static void naturalOrder(float[] lanes, int offset) {
        float e4 = lanes[offset + 4];
        float e5 = lanes[offset + 5];
        float e6 = lanes[offset + 6];
        float e7 = lanes[offset + 7];
        float o0 = lanes[offset + 8];
        float o1 = lanes[offset + 9];
        float o2 = lanes[offset + 10];
        float o3 = lanes[offset + 11];
        float o4 = lanes[offset + 12];
        float o5 = lanes[offset + 13];
        float o6 = lanes[offset + 14];
        float o7 = lanes[offset + 15];
        // even value lane i goes to 2i, odd value lane i to 2i + 1; lanes 1..3 move up, so go from the top
        lanes[offset + 15] = o7;
        lanes[offset + 14] = e7;
        lanes[offset + 13] = o6;
        lanes[offset + 12] = e6;
        lanes[offset + 11] = o5;
        lanes[offset + 10] = e5;
        lanes[offset + 9] = o4;
        lanes[offset + 8] = e4;
        lanes[offset + 7] = o3;
        lanes[offset + 6] = lanes[offset + 3];
        lanes[offset + 5] = o2;
        lanes[offset + 4] = lanes[offset + 2];
        lanes[offset + 3] = o1;
        lanes[offset + 2] = lanes[offset + 1];
        lanes[offset + 1] = o0;
    }
}
