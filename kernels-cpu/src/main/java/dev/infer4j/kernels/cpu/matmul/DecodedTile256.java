package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;

import jdk.incubator.vector.FloatVector;

/**
 * {@link DecodedTile} for 256-bit registers ({@link Q8_0Matmul256}'s many-token kernel): two decoded rows times
 * four tokens, with the same results bit for bit.
 *
 * <p>Each of {@link DecodedTile}'s sixteen-lane vectors splits into a low half (lanes 0–7) and a high half
 * (lanes 8–15) that see the same operations in the same order: per block, {@code h·ah + l·al} by a multiply and
 * a fused multiply-add, then one fused multiply-add by {@code dx·dy} into the accumulator. Kept side by side
 * that would be sixteen accumulators plus eight weight vectors, more than AVX2's sixteen registers; so the row
 * pair is walked twice, first for every block's low lanes, then for its high lanes, each pass holding eight
 * accumulators and four weight vectors (the activations are read straight from memory). A lane still adds its
 * blocks in block order, so the pass split changes no value. Each pass leaves its half of the eight results at
 * {@code lanes[16i + half]}, and {@link Lanes#sum} adds lanes 0–15 of each in the 512-bit kernel's tree;
 * {@code lanes} must hold 128 floats.
 *
 * <p>Decoded layout as for {@link DecodedTile}: row {@code r}'s block {@code b} at {@code values[r·cols + 32b]},
 * its scale at {@code scales[r·blocks + b]}.
 */
final class DecodedTile256 {

    /** Offset of the high half of a block's first and second sixteen values. */
    private static final int HIGH = 8;

    private DecodedTile256() {
    }

    /**
     * Rows {@code row} and {@code row+1} of the decoded weights times tokens {@code token..token+3} of
     * {@code in}; the eight results go to {@code out[outIndex + k*outStride + i]} for token {@code k}, row
     * {@code i}. {@code lanes} is the worker's scratch for {@link Lanes#sum}, at least 128 floats.
     */
    static void twoRowsFourTokens(float[] values, float[] scales, int row, PreparedInput in, int token, float[] out,
                                  int outIndex, int outStride, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        int w0 = row * cols;
        int w1 = w0 + cols;
        int s0 = row * nb;
        int s1 = s0 + nb;
        int q0 = token * cols;
        int d0 = token * nb;
        // half 0: lanes 0-7 of each sixteen (values 0-7 and 16-23 of a block); half 8: lanes 8-15 (8-15, 24-31)
        for (int half = 0; half <= HIGH; half += HIGH) {
            FloatVector c00 = FloatVector.zero(F);
            FloatVector c01 = c00;
            FloatVector c02 = c00;
            FloatVector c03 = c00;
            FloatVector c10 = c00;
            FloatVector c11 = c00;
            FloatVector c12 = c00;
            FloatVector c13 = c00;
            for (int b = 0; b < nb; b++) {
                int wb = 32 * b + half;
                FloatVector l0 = FloatVector.fromArray(F, values, w0 + wb);
                FloatVector h0 = FloatVector.fromArray(F, values, w0 + wb + 16);
                FloatVector l1 = FloatVector.fromArray(F, values, w1 + wb);
                FloatVector h1 = FloatVector.fromArray(F, values, w1 + wb + 16);
                float dx0 = scales[s0 + b];
                float dx1 = scales[s1 + b];
                int q = q0 + wb;
                int d = d0 + b;
                FloatVector al = FloatVector.fromArray(F, a, q);
                FloatVector ah = FloatVector.fromArray(F, a, q + 16);
                float dy = ds[d];
                c00 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c00);
                c10 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c10);
                q += cols;
                d += nb;
                al = FloatVector.fromArray(F, a, q);
                ah = FloatVector.fromArray(F, a, q + 16);
                dy = ds[d];
                c01 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c01);
                c11 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c11);
                q += cols;
                d += nb;
                al = FloatVector.fromArray(F, a, q);
                ah = FloatVector.fromArray(F, a, q + 16);
                dy = ds[d];
                c02 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c02);
                c12 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c12);
                q += cols;
                d += nb;
                al = FloatVector.fromArray(F, a, q);
                ah = FloatVector.fromArray(F, a, q + 16);
                dy = ds[d];
                c03 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c03);
                c13 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c13);
            }
            // result i (token k, row r: i = 2k + r) keeps its sixteen lanes at lanes[16i .. 16i+15]
            c00.intoArray(lanes, half);
            c10.intoArray(lanes, 16 + half);
            c01.intoArray(lanes, 32 + half);
            c11.intoArray(lanes, 48 + half);
            c02.intoArray(lanes, 64 + half);
            c12.intoArray(lanes, 80 + half);
            c03.intoArray(lanes, 96 + half);
            c13.intoArray(lanes, 112 + half);
        }
        out[outIndex] = Lanes.sum(lanes, 0);
        out[outIndex + 1] = Lanes.sum(lanes, 16);
        outIndex += outStride;
        out[outIndex] = Lanes.sum(lanes, 32);
        out[outIndex + 1] = Lanes.sum(lanes, 48);
        outIndex += outStride;
        out[outIndex] = Lanes.sum(lanes, 64);
        out[outIndex + 1] = Lanes.sum(lanes, 80);
        outIndex += outStride;
        out[outIndex] = Lanes.sum(lanes, 96);
        out[outIndex + 1] = Lanes.sum(lanes, 112);
    }
}
