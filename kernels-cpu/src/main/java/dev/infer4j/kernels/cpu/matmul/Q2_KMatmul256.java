package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.SCALE_BYTES;
import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.naturalOrder;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.B8;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.S16;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * {@link Q2_KMatmul} for 256-bit registers (AVX2), where its sixteen-lane int and float vectors would run in the
 * Vector API's slow Java fallback. Bit for bit its results: the 16-bit products are its own, each float lane
 * gets the same exact integer and the same {@code fma} per super-block, and the lanes are reordered and added
 * as there ({@link EvenOddLanes#naturalOrder}, {@link Lanes#sum}); the min part's integer
 * {@code Σ_j min_j · bsum_j} is summed in two eight-lane halves (exact, so in any order) and scaled as there.
 * As in {@link Q3_KMatmul256}, for AVX2: each 16-bit sum goes into one eight-lane int accumulator per parity
 * (widened as it is and with its 128-bit halves swapped, which gives float lane i the 512-bit kernel's folded
 * lanes i and i + 8), and a run's scales are spread over its lanes by a byte shuffle, not a 16-bit one.
 */
final class Q2_KMatmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 84;
    /** The four longs of a 256-bit vector with its 128-bit halves swapped. */
    private static final VectorShuffle<Long> SWAP_128 = VectorShuffle.fromValues(LongVector.SPECIES_256, 2, 3, 0, 1);

    Q2_KMatmul256(WorkerPool pool) {
        super(GgmlType.Q2_K, ActivationFormat.Q8_K, pool, VectorWidth.W256);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int[] bsums = in.blockSums();
        int qBase = token * cols;
        int dBase = token * nb;
        Arrays.fill(lanes, 0, 16, 0f);
        float mins = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dy = ds[dBase + b];
            int q = qBase + b * 256;
            mins += half(w, o + 82) * dy * minSum(w, o, bsums, q / 16);
            superBlock(w, o, a, q, half(w, o + 80) * dy, lanes);
        }
        naturalOrder(lanes, 0);
        return Lanes.sum(lanes, 0) - mins;
    }

    /** {@code Σ_j min_j · bsum_j} over the sixteen 16-value sub-blocks, in two halves of int lanes. Exact. */
    private static int minSum(MemorySegment w, long o, int[] bsums, int base) {
        IntVector low = ((IntVector) ByteVector.fromMemorySegment(B8, w, o, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                .lanewise(VectorOperators.LSHR, 4).mul(IntVector.fromArray(I, bsums, base));
        IntVector high = ((IntVector) ByteVector.fromMemorySegment(B8, w, o + 8, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0))
                .lanewise(VectorOperators.LSHR, 4).mul(IntVector.fromArray(I, bsums, base + 8));
        return low.add(high).reduceLanes(VectorOperators.ADD);
    }

    /**
     * One super-block's scaled values into the float lanes kept at {@code lanes[0..15]} (accumulator order). A
     * method of its own that takes and returns no vectors, for the reason {@link Q3_KMatmul}'s is.
     */
    private static void superBlock(MemorySegment w, long o, short[] a, int q, float d, float[] lanes) {
        ByteVector scales = ByteVector.fromMemorySegment(B16, w, o, LE).and((byte) 0x0F);
        IntVector even = IntVector.zero(I);
        IntVector odd = IntVector.zero(I);
        // the four runs of 32 values from one 32-byte row, summed in 16 bits
        for (int k = 0; k < 2; k++) {
            ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 16 + 32 * k, LE);
            ShortVector e = ShortVector.zero(S16);
            ShortVector od = ShortVector.zero(S16);
            for (int j = 0; j < 4; j++) {
                int r = 4 * k + j;
                int p = q + 32 * r;
                ShortVector sc = (ShortVector) ByteVector.fromArray(B16, SCALE_BYTES, 16 * r).selectFrom(scales)
                        .convertShape(VectorOperators.B2S, S16, 0);
                e = e.add(qs.lanewise(VectorOperators.LSHR, 2 * j).and((short) 3).mul(sc)
                        .mul(ShortVector.fromArray(S16, a, p)));
                od = od.add(qs.lanewise(VectorOperators.LSHR, 2 * j + 8).and((short) 3).mul(sc)
                        .mul(ShortVector.fromArray(S16, a, p + 16)));
            }
            even = even.add((IntVector) e.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd = odd.add((IntVector) od.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) od.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
        }
        FloatVector dv = FloatVector.broadcast(F, d);
        ((FloatVector) even.convert(VectorOperators.I2F, 0)).fma(dv, FloatVector.fromArray(F, lanes, 0))
                .intoArray(lanes, 0);
        ((FloatVector) odd.convert(VectorOperators.I2F, 0)).fma(dv, FloatVector.fromArray(F, lanes, 8))
                .intoArray(lanes, 8);
    }

    /**
     * {@link #dot}'s arithmetic for each of four tokens, the weights decoded and scaled once for all four; token
     * t's float lanes are kept at {@code lanes[16t..16t+15]}.
     */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int[] bsums = in.blockSums();
        int perToken = cols / 16;
        Arrays.fill(lanes, 0, 64, 0f);
        float mins0 = 0f;
        float mins1 = 0f;
        float mins2 = 0f;
        float mins3 = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int db = token * nb + b;
            int q = token * cols + b * 256;
            float dmin = half(w, o + 82);
            mins0 += dmin * ds[db] * minSum(w, o, bsums, q / 16);
            mins1 += dmin * ds[db + nb] * minSum(w, o, bsums, q / 16 + perToken);
            mins2 += dmin * ds[db + 2 * nb] * minSum(w, o, bsums, q / 16 + 2 * perToken);
            mins3 += dmin * ds[db + 3 * nb] * minSum(w, o, bsums, q / 16 + 3 * perToken);
            float h = half(w, o + 80);
            superBlock4(w, o, a, q, cols, h * ds[db], h * ds[db + nb], h * ds[db + 2 * nb], h * ds[db + 3 * nb],
                    lanes);
        }
        for (int t = 0; t < 4; t++) {
            naturalOrder(lanes, 16 * t);
        }
        out[outIndex] = Lanes.sum(lanes, 0) - mins0;
        out[outIndex + outStride] = Lanes.sum(lanes, 16) - mins1;
        out[outIndex + 2 * outStride] = Lanes.sum(lanes, 32) - mins2;
        out[outIndex + 3 * outStride] = Lanes.sum(lanes, 48) - mins3;
    }

    /** {@link #superBlock} for four tokens, {@code cols} apart in {@code a}. */
    private static void superBlock4(MemorySegment w, long o, short[] a, int q, int cols, float d0, float d1, float d2,
                                    float d3, float[] lanes) {
        ByteVector scales = ByteVector.fromMemorySegment(B16, w, o, LE).and((byte) 0x0F);
        IntVector even0 = IntVector.zero(I);
        IntVector odd0 = IntVector.zero(I);
        IntVector even1 = IntVector.zero(I);
        IntVector odd1 = IntVector.zero(I);
        IntVector even2 = IntVector.zero(I);
        IntVector odd2 = IntVector.zero(I);
        IntVector even3 = IntVector.zero(I);
        IntVector odd3 = IntVector.zero(I);
        for (int k = 0; k < 2; k++) {
            ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 16 + 32 * k, LE);
            ShortVector e0 = ShortVector.zero(S16);
            ShortVector o0 = ShortVector.zero(S16);
            ShortVector e1 = ShortVector.zero(S16);
            ShortVector o1 = ShortVector.zero(S16);
            ShortVector e2 = ShortVector.zero(S16);
            ShortVector o2 = ShortVector.zero(S16);
            ShortVector e3 = ShortVector.zero(S16);
            ShortVector o3 = ShortVector.zero(S16);
            for (int j = 0; j < 4; j++) {
                int r = 4 * k + j;
                ShortVector sc = (ShortVector) ByteVector.fromArray(B16, SCALE_BYTES, 16 * r).selectFrom(scales)
                        .convertShape(VectorOperators.B2S, S16, 0);
                ShortVector ev = qs.lanewise(VectorOperators.LSHR, 2 * j).and((short) 3).mul(sc);
                ShortVector ov = qs.lanewise(VectorOperators.LSHR, 2 * j + 8).and((short) 3).mul(sc);
                int p = q + 32 * r;
                e0 = e0.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o0 = o0.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
                p += cols;
                e1 = e1.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o1 = o1.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
                p += cols;
                e2 = e2.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o2 = o2.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
                p += cols;
                e3 = e3.add(ev.mul(ShortVector.fromArray(S16, a, p)));
                o3 = o3.add(ov.mul(ShortVector.fromArray(S16, a, p + 16)));
            }
            even0 = even0.add((IntVector) e0.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e0.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd0 = odd0.add((IntVector) o0.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) o0.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            even1 = even1.add((IntVector) e1.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e1.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd1 = odd1.add((IntVector) o1.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) o1.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            even2 = even2.add((IntVector) e2.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e2.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd2 = odd2.add((IntVector) o2.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) o2.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            even3 = even3.add((IntVector) e3.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e3.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd3 = odd3.add((IntVector) o3.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) o3.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
        }
        // each token's fma from the 512-bit kernel, in eight-lane halves
        FloatVector d = FloatVector.broadcast(F, d0);
        ((FloatVector) even0.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 0)).intoArray(lanes, 0);
        ((FloatVector) odd0.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 8)).intoArray(lanes, 8);
        d = FloatVector.broadcast(F, d1);
        ((FloatVector) even1.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 16)).intoArray(lanes, 16);
        ((FloatVector) odd1.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 24)).intoArray(lanes, 24);
        d = FloatVector.broadcast(F, d2);
        ((FloatVector) even2.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 32)).intoArray(lanes, 32);
        ((FloatVector) odd2.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 40)).intoArray(lanes, 40);
        d = FloatVector.broadcast(F, d3);
        ((FloatVector) even3.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 48)).intoArray(lanes, 48);
        ((FloatVector) odd3.convert(VectorOperators.I2F, 0)).fma(d, FloatVector.fromArray(F, lanes, 56)).intoArray(lanes, 56);
    }
}
