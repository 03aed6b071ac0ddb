package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.S16;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Q4_KMatmul} for 256-bit registers (AVX2), bit for bit the same results.
 *
 * <p>The 512-bit kernel's only float arithmetic is scalar: {@code sum += d·dy·isum} and
 * {@code mins += dmin·dy·msum}, super-block by super-block, with exact integers {@code isum} and {@code msum}. So
 * this kernel only has to reach the same two integers and fold them in the same order; how it sums inside a
 * super-block is free. It forms the same 16-bit products (sixteen 16-bit lanes, each the even and the odd value's
 * products, at most 2·15·127), but widens them differently: instead of converting sixteen 16-bit lanes into a
 * sixteen-int vector (two 256-bit halves here), it reads the 16-bit vector as eight ints and adds each int's two
 * halves, {@code ((v << 16) + v) >> 16}, which is exact while the pair's sum fits 16 bits (at most 4·15·127). One
 * eight-int vector per 32-value sub-block then takes the sub-block's scale, half the multiplies of two halves.
 */
final class Q4_KMatmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = Q4_KMatmul.BLOCK_BYTES;

    Q4_KMatmul256(WorkerPool pool) {
        super(GgmlType.Q4_K, ActivationFormat.Q8_K, pool, VectorWidth.W256);
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
        float sum = 0f;
        float mins = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dy = ds[dBase + b];
            int w0 = w.get(Lanes.INT, o + 4);
            int w1 = w.get(Lanes.INT, o + 8);
            int w2 = w.get(Lanes.INT, o + 12);
            int scLow = KQuantScales.scalesLow(w0);
            int scHigh = KQuantScales.scalesHigh(w0, w2);
            int mLow = KQuantScales.minsLow(w1);
            int mHigh = KQuantScales.minsHigh(w1, w2);
            int q = qBase + b * 256;
            // the same float steps as Q4_KMatmul.dot, in the same order
            mins += half(w, o + 2) * dy * KQuantScales.minSum16W256(bsums, q / 16, mLow, mHigh);
            sum += half(w, o) * dy * superBlock(w, o + 16, a, q, scLow, scHigh);
        }
        return sum - mins;
    }

    /**
     * {@code Σ_j scale_j·Σ q·a} over one super-block's 128 nibble bytes at {@code qs}, reduced here so that no
     * vector crosses a call boundary.
     */
    private static int superBlock(MemorySegment w, long qs, short[] a, int q, int scLow, int scHigh) {
        IntVector acc = IntVector.zero(I);
        for (int c = 0; c < 4; c++, qs += 32, q += 64) {
            int scales = c < 2 ? scLow : scHigh;
            int shift = (c & 1) * 16;
            ShortVector x = ShortVector.fromMemorySegment(S16, w, qs, LE);
            ShortVector low = x.and((short) 0xF).mul(ShortVector.fromArray(S16, a, q))
                    .add(x.lanewise(VectorOperators.LSHR, 8).and((short) 0xF).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector high = x.lanewise(VectorOperators.LSHR, 4).and((short) 0xF).mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(x.lanewise(VectorOperators.LSHR, 12).mul(ShortVector.fromArray(S16, a, q + 48)));
            // each int's two 16-bit lanes added (see the class comment), then the sub-block's scale
            IntVector l = low.reinterpretAsInts();
            IntVector h = high.reinterpretAsInts();
            acc = acc.add(l.lanewise(VectorOperators.LSHL, 16).add(l).lanewise(VectorOperators.ASHR, 16)
                            .mul((scales >>> shift) & 0xFF))
                    .add(h.lanewise(VectorOperators.LSHL, 16).add(h).lanewise(VectorOperators.ASHR, 16)
                            .mul((scales >>> (shift + 8)) & 0xFF));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** {@link #dot}'s integers for each of four tokens, the nibbles taken apart once for the four. */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int[] bsums = in.blockSums();
        int q0 = token * cols;
        int d0 = token * nb;
        float sum0 = 0f;
        float sum1 = 0f;
        float sum2 = 0f;
        float sum3 = 0f;
        float mins0 = 0f;
        float mins1 = 0f;
        float mins2 = 0f;
        float mins3 = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dx = half(w, o);
            float dmin = half(w, o + 2);
            int w0 = w.get(Lanes.INT, o + 4);
            int w1 = w.get(Lanes.INT, o + 8);
            int w2 = w.get(Lanes.INT, o + 12);
            int scLow = KQuantScales.scalesLow(w0);
            int scHigh = KQuantScales.scalesHigh(w0, w2);
            int mLow = KQuantScales.minsLow(w1);
            int mHigh = KQuantScales.minsHigh(w1, w2);
            int qb = q0 + b * 256;
            int db = d0 + b;
            int sumAt = qb / 16;
            IntVector acc0 = IntVector.zero(I);
            IntVector acc1 = IntVector.zero(I);
            IntVector acc2 = IntVector.zero(I);
            IntVector acc3 = IntVector.zero(I);
            long qs = o + 16;
            for (int c = 0; c < 4; c++, qb += 64, qs += 32) {
                int scales = c < 2 ? scLow : scHigh;
                int shift = (c & 1) * 16;
                IntVector sc0 = IntVector.broadcast(I, (scales >>> shift) & 0xFF);
                IntVector sc1 = IntVector.broadcast(I, (scales >>> (shift + 8)) & 0xFF);
                ShortVector x = ShortVector.fromMemorySegment(S16, w, qs, LE);
                ShortVector lowEven = x.and((short) 0xF);
                ShortVector lowOdd = x.lanewise(VectorOperators.LSHR, 8).and((short) 0xF);
                ShortVector highEven = x.lanewise(VectorOperators.LSHR, 4).and((short) 0xF);
                ShortVector highOdd = x.lanewise(VectorOperators.LSHR, 12);
                // written out per token: a helper taking these vectors would not be inlined, and its arguments
                // would be boxed. Each 16-bit sum is widened as in superBlock: an int's two halves added.
                int q = qb;
                IntVector l = lowEven.mul(ShortVector.fromArray(S16, a, q))
                        .add(lowOdd.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                IntVector h = highEven.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(highOdd.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc0 = acc0.add(l.lanewise(VectorOperators.LSHL, 16).add(l).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(h.lanewise(VectorOperators.LSHL, 16).add(h).lanewise(VectorOperators.ASHR, 16).mul(sc1));
                q += cols;
                l = lowEven.mul(ShortVector.fromArray(S16, a, q))
                        .add(lowOdd.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                h = highEven.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(highOdd.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc1 = acc1.add(l.lanewise(VectorOperators.LSHL, 16).add(l).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(h.lanewise(VectorOperators.LSHL, 16).add(h).lanewise(VectorOperators.ASHR, 16).mul(sc1));
                q += cols;
                l = lowEven.mul(ShortVector.fromArray(S16, a, q))
                        .add(lowOdd.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                h = highEven.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(highOdd.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc2 = acc2.add(l.lanewise(VectorOperators.LSHL, 16).add(l).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(h.lanewise(VectorOperators.LSHL, 16).add(h).lanewise(VectorOperators.ASHR, 16).mul(sc1));
                q += cols;
                l = lowEven.mul(ShortVector.fromArray(S16, a, q))
                        .add(lowOdd.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                h = highEven.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(highOdd.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc3 = acc3.add(l.lanewise(VectorOperators.LSHL, 16).add(l).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(h.lanewise(VectorOperators.LSHL, 16).add(h).lanewise(VectorOperators.ASHR, 16).mul(sc1));
            }
            // the min sums after the main loop, so that C2 inlines that loop's vector operations first; the first
            // word's mins meet the first eight 16-value sums, the second word's the last eight
            IntVector shifts = IntVector.fromArray(I, KQuantScales.MIN_SHIFTS_256, 0);
            IntVector mLo = IntVector.broadcast(I, mLow).lanewise(VectorOperators.LSHR, shifts).and(0xFF);
            IntVector mHi = IntVector.broadcast(I, mHigh).lanewise(VectorOperators.LSHR, shifts).and(0xFF);
            int perToken = cols / 16;
            int s = sumAt;
            mins0 += dmin * ds[db] * IntVector.fromArray(I, bsums, s).mul(mLo)
                    .add(IntVector.fromArray(I, bsums, s + 8).mul(mHi)).reduceLanes(VectorOperators.ADD);
            s += perToken;
            mins1 += dmin * ds[db + nb] * IntVector.fromArray(I, bsums, s).mul(mLo)
                    .add(IntVector.fromArray(I, bsums, s + 8).mul(mHi)).reduceLanes(VectorOperators.ADD);
            s += perToken;
            mins2 += dmin * ds[db + 2 * nb] * IntVector.fromArray(I, bsums, s).mul(mLo)
                    .add(IntVector.fromArray(I, bsums, s + 8).mul(mHi)).reduceLanes(VectorOperators.ADD);
            s += perToken;
            mins3 += dmin * ds[db + 3 * nb] * IntVector.fromArray(I, bsums, s).mul(mLo)
                    .add(IntVector.fromArray(I, bsums, s + 8).mul(mHi)).reduceLanes(VectorOperators.ADD);
            sum0 += dx * ds[db] * acc0.reduceLanes(VectorOperators.ADD);
            sum1 += dx * ds[db + nb] * acc1.reduceLanes(VectorOperators.ADD);
            sum2 += dx * ds[db + 2 * nb] * acc2.reduceLanes(VectorOperators.ADD);
            sum3 += dx * ds[db + 3 * nb] * acc3.reduceLanes(VectorOperators.ADD);
        }
        out[outIndex] = sum0 - mins0;
        out[outIndex + outStride] = sum1 - mins1;
        out[outIndex + 2 * outStride] = sum2 - mins2;
        out[outIndex + 3 * outStride] = sum3 - mins3;
    }
}
