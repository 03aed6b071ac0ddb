package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.B8;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.S16;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link Q6_KMatmul} for 256-bit registers (AVX2), bit for bit the same results.
 *
 * <p>The 512-bit kernel's float arithmetic is scalar, {@code sum += d·dy·isum} super-block by super-block with an
 * exact integer {@code isum}, so this kernel reaches the same integer its own way and folds it in the same order.
 * The 6-bit values and the 16-bit products of a run of 32 are the 512-bit kernel's (lane {@code i} holds values
 * {@code 2i} and {@code 2i+1}'s products, at most 2·63·127). Where that kernel folds two runs into one 16-bit
 * vector and widens it to sixteen ints, this one reads each run's 16-bit vector as eight ints and adds each int's
 * two halves, {@code ((v << 16) + v) >> 16} (exact: at most 4·63·127 = 32004 fits 16 bits): lanes 0..3 then
 * belong to the run's first 16-value sub-block and 4..7 to its second, and take those two scales, made by shifting
 * the two scale bytes (read as one short) into place, with no cross-lane shuffle.
 */
final class Q6_KMatmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 210;
    /**
     * Per lane, the left shift that puts a run's first scale byte (lanes 0..3) or second (lanes 4..7), read as
     * one little-endian short, into the top byte, for an arithmetic right shift by 24 to sign-extend.
     */
    private static final int[] PAIR_SHIFTS = {24, 24, 24, 24, 16, 16, 16, 16};

    Q6_KMatmul256(WorkerPool pool) {
        super(GgmlType.Q6_K, ActivationFormat.Q8_K, pool, VectorWidth.W256);
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
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            // the same float steps as Q6_KMatmul.dot, in the same order
            sum += half(w, o + 208) * ds[dBase + b] * superBlock(w, o, a, bsums, qBase + b * 256);
        }
        return sum;
    }

    /**
     * The integer sum of one super-block, reduced here so that no vector crosses a call boundary (a vector
     * argument or result of a call that is not inlined is boxed). The loop runs once per half so that its
     * body stays within C2's inlining budget.
     */
    private static int superBlock(MemorySegment w, long o, short[] a, int[] bsums, int q) {
        IntVector shifts = IntVector.fromArray(I, PAIR_SHIFTS, 0);
        IntVector scLow = (IntVector) ByteVector.fromMemorySegment(B8, w, o + 192, LE)
                .convertShape(VectorOperators.B2I, I, 0);
        IntVector scHigh = (IntVector) ByteVector.fromMemorySegment(B8, w, o + 200, LE)
                .convertShape(VectorOperators.B2I, I, 0);
        // the −32 of every value: −32·Σ scale·(16-value quant sum)
        IntVector acc = IntVector.fromArray(I, bsums, q / 16).mul(scLow)
                .add(IntVector.fromArray(I, bsums, q / 16 + 8).mul(scHigh)).mul(-32);
        long sc = o + 192;
        for (int h = 0; h < 2; h++, o += 64, q += 128, sc += 8) {
            ShortVector ql0 = ShortVector.fromMemorySegment(S16, w, o, LE);
            ShortVector ql1 = ShortVector.fromMemorySegment(S16, w, o + 32, LE);
            ShortVector qh = ShortVector.fromMemorySegment(S16, w, o + 128 - 32 * h, LE);
            // runs of 32: low nibbles of ql0 with high-part bits 0-1, of ql1 with bits 2-3, then the high nibbles with bits 4-5 and 6-7
            ShortVector v0 = ql0.and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHL, 4).and((short) 0x3030));
            ShortVector v1 = ql1.and((short) 0x0F0F).or(qh.lanewise(VectorOperators.LSHL, 2).and((short) 0x3030));
            ShortVector v2 = ql0.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F).or(qh.and((short) 0x3030));
            ShortVector v3 = ql1.lanewise(VectorOperators.LSHR, 4).and((short) 0x0F0F)
                    .or(qh.lanewise(VectorOperators.LSHR, 2).and((short) 0x3030));
            IntVector p0 = v0.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q))
                    .add(v0.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 16)))
                    .reinterpretAsInts();
            IntVector p1 = v1.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(v1.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 48)))
                    .reinterpretAsInts();
            IntVector p2 = v2.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q + 64))
                    .add(v2.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 80)))
                    .reinterpretAsInts();
            IntVector p3 = v3.and((short) 0xFF).mul(ShortVector.fromArray(S16, a, q + 96))
                    .add(v3.lanewise(VectorOperators.LSHR, 8).mul(ShortVector.fromArray(S16, a, q + 112)))
                    .reinterpretAsInts();
            // each int's two 16-bit lanes added, then run j's two scales (bytes 2j, 2j+1 of this half's eight)
            acc = acc.add(p0.lanewise(VectorOperators.LSHL, 16).add(p0).lanewise(VectorOperators.ASHR, 16)
                    .mul(IntVector.broadcast(I, w.get(Lanes.HALF, sc)).lanewise(VectorOperators.LSHL, shifts)
                            .lanewise(VectorOperators.ASHR, 24)));
            acc = acc.add(p1.lanewise(VectorOperators.LSHL, 16).add(p1).lanewise(VectorOperators.ASHR, 16)
                    .mul(IntVector.broadcast(I, w.get(Lanes.HALF, sc + 2)).lanewise(VectorOperators.LSHL, shifts)
                            .lanewise(VectorOperators.ASHR, 24)));
            acc = acc.add(p2.lanewise(VectorOperators.LSHL, 16).add(p2).lanewise(VectorOperators.ASHR, 16)
                    .mul(IntVector.broadcast(I, w.get(Lanes.HALF, sc + 4)).lanewise(VectorOperators.LSHL, shifts)
                            .lanewise(VectorOperators.ASHR, 24)));
            acc = acc.add(p3.lanewise(VectorOperators.LSHL, 16).add(p3).lanewise(VectorOperators.ASHR, 16)
                    .mul(IntVector.broadcast(I, w.get(Lanes.HALF, sc + 6)).lanewise(VectorOperators.LSHL, shifts)
                            .lanewise(VectorOperators.ASHR, 24)));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #dot}'s integers for each of four tokens, the 6-bit values put together once for all four. One
     * loop turn per pair of runs of 32 values (shift counts from the pair index), as in {@link Q6_KMatmul#dot4},
     * keeps the body within C2's budget.
     */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int[] bsums = in.blockSums();
        IntVector shifts = IntVector.fromArray(I, PAIR_SHIFTS, 0);
        float sum0 = 0f;
        float sum1 = 0f;
        float sum2 = 0f;
        float sum3 = 0f;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            // read before any vector is live: should C2 leave this call out of line, nothing is spilled around it
            float d = half(w, o + 208);
            int q0 = token * cols + b * 256;
            IntVector scLow = ((IntVector) ByteVector.fromMemorySegment(B8, w, o + 192, LE)
                    .convertShape(VectorOperators.B2I, I, 0)).mul(-32);
            IntVector scHigh = ((IntVector) ByteVector.fromMemorySegment(B8, w, o + 200, LE)
                    .convertShape(VectorOperators.B2I, I, 0)).mul(-32);
            int s = q0 / 16;
            int perToken = cols / 16;
            IntVector acc0 = IntVector.fromArray(I, bsums, s).mul(scLow).add(IntVector.fromArray(I, bsums, s + 8).mul(scHigh));
            s += perToken;
            IntVector acc1 = IntVector.fromArray(I, bsums, s).mul(scLow).add(IntVector.fromArray(I, bsums, s + 8).mul(scHigh));
            s += perToken;
            IntVector acc2 = IntVector.fromArray(I, bsums, s).mul(scLow).add(IntVector.fromArray(I, bsums, s + 8).mul(scHigh));
            s += perToken;
            IntVector acc3 = IntVector.fromArray(I, bsums, s).mul(scLow).add(IntVector.fromArray(I, bsums, s + 8).mul(scHigh));
            for (int p = 0; p < 4; p++) {
                int h = p >> 1;
                int r = 2 * (p & 1);
                ShortVector qh = ShortVector.fromMemorySegment(S16, w, o + 128 + 32 * h, LE);
                ShortVector v0 = ShortVector.fromMemorySegment(S16, w, o + 64 * h, LE)
                        .lanewise(VectorOperators.LSHR, 4 * (r >> 1)).and((short) 0x0F0F)
                        .or(qh.lanewise(VectorOperators.LSHR, 2 * r).lanewise(VectorOperators.LSHL, 4).and((short) 0x3030));
                ShortVector v1 = ShortVector.fromMemorySegment(S16, w, o + 64 * h + 32, LE)
                        .lanewise(VectorOperators.LSHR, 4 * (r >> 1)).and((short) 0x0F0F)
                        .or(qh.lanewise(VectorOperators.LSHR, 2 * r + 2).lanewise(VectorOperators.LSHL, 4)
                                .and((short) 0x3030));
                ShortVector even0 = v0.and((short) 0xFF);
                ShortVector odd0 = v0.lanewise(VectorOperators.LSHR, 8);
                ShortVector even1 = v1.and((short) 0xFF);
                ShortVector odd1 = v1.lanewise(VectorOperators.LSHR, 8);
                // runs 2p and 2p+1: scales 4p, 4p+1 and 4p+2, 4p+3
                IntVector sc0 = IntVector.broadcast(I, w.get(Lanes.HALF, o + 192 + 4 * p))
                        .lanewise(VectorOperators.LSHL, shifts).lanewise(VectorOperators.ASHR, 24);
                IntVector sc1 = IntVector.broadcast(I, w.get(Lanes.HALF, o + 194 + 4 * p))
                        .lanewise(VectorOperators.LSHL, shifts).lanewise(VectorOperators.ASHR, 24);
                // written out per token: a helper taking these vectors would not be inlined, and its arguments
                // would be boxed. Each 16-bit sum is widened as in superBlock: an int's two halves added.
                int q = q0 + 64 * p;
                IntVector x0 = even0.mul(ShortVector.fromArray(S16, a, q))
                        .add(odd0.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                IntVector x1 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc0 = acc0.add(x0.lanewise(VectorOperators.LSHL, 16).add(x0).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(x1.lanewise(VectorOperators.LSHL, 16).add(x1).lanewise(VectorOperators.ASHR, 16).mul(sc1));
                q += cols;
                x0 = even0.mul(ShortVector.fromArray(S16, a, q))
                        .add(odd0.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                x1 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc1 = acc1.add(x0.lanewise(VectorOperators.LSHL, 16).add(x0).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(x1.lanewise(VectorOperators.LSHL, 16).add(x1).lanewise(VectorOperators.ASHR, 16).mul(sc1));
                q += cols;
                x0 = even0.mul(ShortVector.fromArray(S16, a, q))
                        .add(odd0.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                x1 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc2 = acc2.add(x0.lanewise(VectorOperators.LSHL, 16).add(x0).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(x1.lanewise(VectorOperators.LSHL, 16).add(x1).lanewise(VectorOperators.ASHR, 16).mul(sc1));
                q += cols;
                x0 = even0.mul(ShortVector.fromArray(S16, a, q))
                        .add(odd0.mul(ShortVector.fromArray(S16, a, q + 16))).reinterpretAsInts();
                x1 = even1.mul(ShortVector.fromArray(S16, a, q + 32))
                        .add(odd1.mul(ShortVector.fromArray(S16, a, q + 48))).reinterpretAsInts();
                acc3 = acc3.add(x0.lanewise(VectorOperators.LSHL, 16).add(x0).lanewise(VectorOperators.ASHR, 16).mul(sc0))
                        .add(x1.lanewise(VectorOperators.LSHL, 16).add(x1).lanewise(VectorOperators.ASHR, 16).mul(sc1));
            }
            int db = token * nb + b;
            sum0 += d * ds[db] * acc0.reduceLanes(VectorOperators.ADD);
            sum1 += d * ds[db + nb] * acc1.reduceLanes(VectorOperators.ADD);
            sum2 += d * ds[db + 2 * nb] * acc2.reduceLanes(VectorOperators.ADD);
            sum3 += d * ds[db + 3 * nb] * acc3.reduceLanes(VectorOperators.ADD);
        }
        out[outIndex] = sum0;
        out[outIndex + outStride] = sum1;
        out[outIndex + 2 * outStride] = sum2;
        out[outIndex + 3 * outStride] = sum3;
    }
}
