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
 * {@link Q5_KMatmul} for 256-bit registers (AVX2), bit for bit the same results.
 *
 * <p>As in {@link Q4_KMatmul256}: the 512-bit kernel's float arithmetic is scalar, one {@code d·dy·isum} and one
 * {@code dmin·dy·msum} per super-block with exact integers, so this kernel reaches the same integers its own way
 * and folds them in the same order. The 5-bit values and their 16-bit products are the 512-bit kernel's (at most
 * 2·31·127 per lane); each 16-bit vector is read as eight ints whose two halves are added,
 * {@code ((v << 16) + v) >> 16} (exact: at most 4·31·127 fits 16 bits), and takes its sub-block's scale.
 */
final class Q5_KMatmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 176;

    Q5_KMatmul256(WorkerPool pool) {
        super(GgmlType.Q5_K, ActivationFormat.Q8_K, pool, VectorWidth.W256);
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
            // the same float steps as Q5_KMatmul.dot, in the same order
            mins += half(w, o + 2) * dy * KQuantScales.minSum16W256(bsums, q / 16, mLow, mHigh);
            sum += half(w, o) * dy * superBlock(w, o, a, q, scLow, scHigh);
        }
        return sum - mins;
    }

    /**
     * {@code Σ_j scale_j·Σ q·a} over the super-block at {@code o}, reduced here so that no vector crosses a
     * call boundary.
     */
    private static int superBlock(MemorySegment w, long o, short[] a, int q, int scLow, int scHigh) {
        ShortVector qh = ShortVector.fromMemorySegment(S16, w, o + 16, LE);
        IntVector acc = IntVector.zero(I);
        long qs = o + 48;
        for (int c = 0; c < 4; c++, qs += 32, q += 64, qh = qh.lanewise(VectorOperators.LSHR, 2)) {
            int scales = c < 2 ? scLow : scHigh;
            int shift = (c & 1) * 16;
            ShortVector x = ShortVector.fromMemorySegment(S16, w, qs, LE);
            // bit 0 of each byte of qh is now the fifth bit of the low nibble's value, bit 1 that of the high nibble's
            ShortVector low = x.and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHL, 4).and((short) 0x1010));
            ShortVector high = x.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F)
                    .or(qh.lanewise(VectorOperators.LSHL, 3).and((short) 0x1010));
            IntVector l = low.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q))
                    .add(low.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 16)))
                    .reinterpretAsInts();
            IntVector h = high.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(high.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 48)))
                    .reinterpretAsInts();
            // each int's two 16-bit lanes added (see the class comment), then the sub-block's scale
            acc = acc.add(l.lanewise(VectorOperators.LSHL, 16).add(l).lanewise(VectorOperators.ASHR, 16)
                            .mul((scales >>> shift) & 0xFF))
                    .add(h.lanewise(VectorOperators.LSHL, 16).add(h).lanewise(VectorOperators.ASHR, 16)
                            .mul((scales >>> (shift + 8)) & 0xFF));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** {@link #dot}'s integers for each of four tokens, the 5-bit values put together once for the four. */
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
            // read before any vector is live: should C2 leave this call out of line, nothing is spilled around it
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
            ShortVector qh = ShortVector.fromMemorySegment(S16, w, o + 16, LE);
            long qs = o + 48;
            for (int c = 0; c < 4; c++, qb += 64, qs += 32, qh = qh.lanewise(VectorOperators.LSHR, 2)) {
                int scales = c < 2 ? scLow : scHigh;
                int shift = (c & 1) * 16;
                IntVector sc0 = IntVector.broadcast(I, (scales >>> shift) & 0xFF);
                IntVector sc1 = IntVector.broadcast(I, (scales >>> (shift + 8)) & 0xFF);
                ShortVector x = ShortVector.fromMemorySegment(S16, w, qs, LE);
                ShortVector low = x.and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHL, 4).and((short) 0x1010));
                ShortVector high = x.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F)
                        .or(qh.lanewise(VectorOperators.LSHL, 3).and((short) 0x1010));
                ShortVector lowEven = low.and((short) 0xFF);
                ShortVector lowOdd = low.lanewise(VectorOperators.LSHR, 8);
                ShortVector highEven = high.and((short) 0xFF);
                ShortVector highOdd = high.lanewise(VectorOperators.LSHR, 8);
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
            sum0 += dx * ds[db] * acc0.reduceLanes(VectorOperators.ADD);
            sum1 += dx * ds[db + nb] * acc1.reduceLanes(VectorOperators.ADD);
            sum2 += dx * ds[db + 2 * nb] * acc2.reduceLanes(VectorOperators.ADD);
            sum3 += dx * ds[db + 3 * nb] * acc3.reduceLanes(VectorOperators.ADD);
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
        }
        out[outIndex] = sum0 - mins0;
        out[outIndex + outStride] = sum1 - mins1;
        out[outIndex + 2 * outStride] = sum2 - mins2;
        out[outIndex + 3 * outStride] = sum3 - mins3;
    }
}
