package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LANES;

import jdk.incubator.vector.FloatVector;

/**
 * Q8_0's many-token kernel (Q4_0 has {@link FoldedTile}): a block
 * of two weight rows times four tokens, over rows already decoded into floats ({@link RowDecoder#decodeRow}).
 *
 * <p>Decoding a block costs about as much as multiplying it with one token, so the per-token kernels spend
 * half their work on it; decoded once per task and reused by every group of four tokens, it is gone from the
 * inner loop, and each token costs three float operations per block and row. The arithmetic is the per-token
 * kernels', value for value: lane {@code j} of a block is {@code w_j·a_j + w_{j+16}·a_{j+16}}, an integer below
 * 2<sup>24</sup> and therefore exact in float as it is in 16-bit integer lanes; it is scaled by
 * {@code dx·dy} into a float accumulator with one fused multiply-add, and the sixteen lanes are added by
 * {@link Lanes#sum}. So a token's result does not depend on whether it went through here.
 *
 * <p>The four tokens are written out one after another, not looped over an array of accumulators: vectors kept in
 * an array are boxed, and eight accumulators plus four weight vectors fill most of the 32 registers as it is (a
 * 4-row by 4-token version spilled and ran slower).
 *
 * <p>Decoded layout: row {@code r}'s block {@code b} has its weights {@code 0..15} at
 * {@code values[r·cols + 32b]}, {@code 16..31} right after, and its scale at {@code scales[r·blocks + b]}.
 */
final class DecodedTile {

    private DecodedTile() {
    }

    /**
     * Rows {@code row} and {@code row+1} of the decoded weights times tokens {@code token..token+3} of
     * {@code in}; the eight results go to {@code out[outIndex + k*outStride + i]} for token {@code k}, row
     * {@code i}. {@code lanes} is the worker's scratch for {@link Lanes#sum}.
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
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c03 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c12 = c00;
        FloatVector c13 = c00;
        for (int b = 0; b < nb; b++) {
            int wb = 32 * b;
            FloatVector l0 = FloatVector.fromArray(F, values, w0 + wb);
            FloatVector h0 = FloatVector.fromArray(F, values, w0 + wb + LANES);
            FloatVector l1 = FloatVector.fromArray(F, values, w1 + wb);
            FloatVector h1 = FloatVector.fromArray(F, values, w1 + wb + LANES);
            float dx0 = scales[s0 + b];
            float dx1 = scales[s1 + b];
            int q = q0 + wb;
            int d = d0 + b;
            FloatVector al = FloatVector.fromArray(F, a, q);
            FloatVector ah = FloatVector.fromArray(F, a, q + LANES);
            float dy = ds[d];
            c00 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c00);
            c10 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c10);
            q += cols;
            d += nb;
            al = FloatVector.fromArray(F, a, q);
            ah = FloatVector.fromArray(F, a, q + LANES);
            dy = ds[d];
            c01 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c01);
            c11 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c11);
            q += cols;
            d += nb;
            al = FloatVector.fromArray(F, a, q);
            ah = FloatVector.fromArray(F, a, q + LANES);
            dy = ds[d];
            c02 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c02);
            c12 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c12);
            q += cols;
            d += nb;
            al = FloatVector.fromArray(F, a, q);
            ah = FloatVector.fromArray(F, a, q + LANES);
            dy = ds[d];
            c03 = h0.fma(ah, l0.mul(al)).fma(FloatVector.broadcast(F, dx0 * dy), c03);
            c13 = h1.fma(ah, l1.mul(al)).fma(FloatVector.broadcast(F, dx1 * dy), c13);
        }
        c00.intoArray(lanes, 0);
        out[outIndex] = Lanes.sum(lanes, 0);
        c10.intoArray(lanes, 0);
        out[outIndex + 1] = Lanes.sum(lanes, 0);
        outIndex += outStride;
        c01.intoArray(lanes, 0);
        out[outIndex] = Lanes.sum(lanes, 0);
        c11.intoArray(lanes, 0);
        out[outIndex + 1] = Lanes.sum(lanes, 0);
        outIndex += outStride;
        c02.intoArray(lanes, 0);
        out[outIndex] = Lanes.sum(lanes, 0);
        c12.intoArray(lanes, 0);
        out[outIndex + 1] = Lanes.sum(lanes, 0);
        outIndex += outStride;
        c03.intoArray(lanes, 0);
        out[outIndex] = Lanes.sum(lanes, 0);
        c13.intoArray(lanes, 0);
        out[outIndex + 1] = Lanes.sum(lanes, 0);
    }
}
