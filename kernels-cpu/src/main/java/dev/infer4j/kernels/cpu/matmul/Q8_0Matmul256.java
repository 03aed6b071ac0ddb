package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes.shorts;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.S16;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.BoundedIndex;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

/**
 * {@link Q8_0Matmul} for 256-bit registers (AVX2), giving its results bit for bit. The block's sixteen 16-bit
 * products {@code p_j = w_j·a_j + w_{j+16}·a_{j+16}} already fill one 256-bit short vector, so the integer work is
 * the 512-bit kernel's; only the float side splits its sixteen lanes over two eight-lane vectors.
 *
 * <p>The split is into even and odd lanes, not low and high: the short vector read as eight ints holds
 * {@code p_2k} in the low and {@code p_2k+1} in the high half of int {@code k}, so two shifts give each as an
 * int (exact), where taking lanes 8–15 of a short vector ({@code convertShape(S2F, F, 1)}) slices and
 * rearranges it, which C2 did not compile to registers here (the kernel allocated 1.6 MB per 2048×2048
 * product). Each float lane gets the 512-bit kernel's value and fused multiply-add by {@code dx·dy}, block
 * after block, and {@link #sumEvenOdd} adds the sixteen lanes in {@link Lanes#sum}'s tree, so the results are
 * the same bits. The conversions are written out in the loops rather than called through
 * {@link Lanes256#floats}: in {@link #dot4} C2 ran out of its inlining node budget before reaching that helper
 * and boxed the vectors it passed (48 MiB allocated per four-token product).
 *
 * <p>Unlike {@link Q8_0Matmul} it has no decoded float tile for eight or more tokens: every batch goes four tokens
 * at a time through {@link #dot4}, which gives the tile's values anyway. A 256-bit twin of {@link DecodedTile} was
 * written and held bit for bit, but on the AVX2 machine it was written on (Zen 3) it issued six float multiplies
 * and multiply-adds per block, row and token to the two FMA ports where {@link #dot4} issues two and does its
 * products in 16-bit integer lanes on other ports. Same-JVM, 2048×2048, two threads, the kernel without the tile
 * ran 1.30x faster at 8 tokens and 1.47x at 32 (a second run: 1.22x and 1.23x).
 */
final class Q8_0Matmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 34;

    Q8_0Matmul256(WorkerPool pool) {
        super(GgmlType.Q8_0, ActivationFormat.Q8_0, pool, VectorWidth.W256);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = BoundedIndex.count(cols / 32);
        short[] a = in.quants();
        float[] ds = in.scales();
        int q = BoundedIndex.index(token * cols);
        int d = token * nb;
        FloatVector even = FloatVector.zero(F);
        FloatVector odd = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            IntVector p = shorts(w, o + 2).mul(ShortVector.fromArray(S16, a, q + 32 * b))
                    .add(shorts(w, o + 18).mul(ShortVector.fromArray(S16, a, q + 32 * b + 16))).reinterpretAsInts();
            FloatVector s = FloatVector.broadcast(F, half(w, o) * ds[d + b]);
            even = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).fma(s, even);
            odd = ((FloatVector) p.lanewise(ASHR, 16).convert(I2F, 0)).fma(s, odd);
        }
        even.intoArray(lanes, 0);
        odd.intoArray(lanes, 8);
        return sumEvenOdd(lanes, 0);
    }

    /**
     * {@link #dot}'s arithmetic for each of four tokens: eight accumulators, which with the two weight vectors fit
     * AVX2's sixteen registers.
     */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = BoundedIndex.count(in.cols());
        int nb = cols / 32;
        short[] a = in.quants();
        float[] ds = in.scales();
        int q0 = BoundedIndex.index(token * cols);
        int d0 = token * nb;
        FloatVector even0 = FloatVector.zero(F);
        FloatVector odd0 = even0;
        FloatVector even1 = even0;
        FloatVector odd1 = even0;
        FloatVector even2 = even0;
        FloatVector odd2 = even0;
        FloatVector even3 = even0;
        FloatVector odd3 = even0;
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float dx = half(w, o);
            ShortVector wl = shorts(w, o + 2);
            ShortVector wh = shorts(w, o + 18);
            int q = q0 + b * 32;
            int d = d0 + b;
            IntVector p = wl.mul(ShortVector.fromArray(S16, a, q)).add(wh.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .reinterpretAsInts();
            FloatVector s = FloatVector.broadcast(F, dx * ds[d]);
            even0 = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).fma(s, even0);
            odd0 = ((FloatVector) p.lanewise(ASHR, 16).convert(I2F, 0)).fma(s, odd0);
            q += cols;
            d += nb;
            p = wl.mul(ShortVector.fromArray(S16, a, q)).add(wh.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .reinterpretAsInts();
            s = FloatVector.broadcast(F, dx * ds[d]);
            even1 = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).fma(s, even1);
            odd1 = ((FloatVector) p.lanewise(ASHR, 16).convert(I2F, 0)).fma(s, odd1);
            q += cols;
            d += nb;
            p = wl.mul(ShortVector.fromArray(S16, a, q)).add(wh.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .reinterpretAsInts();
            s = FloatVector.broadcast(F, dx * ds[d]);
            even2 = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).fma(s, even2);
            odd2 = ((FloatVector) p.lanewise(ASHR, 16).convert(I2F, 0)).fma(s, odd2);
            q += cols;
            d += nb;
            p = wl.mul(ShortVector.fromArray(S16, a, q)).add(wh.mul(ShortVector.fromArray(S16, a, q + 16)))
                    .reinterpretAsInts();
            s = FloatVector.broadcast(F, dx * ds[d]);
            even3 = ((FloatVector) p.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).fma(s, even3);
            odd3 = ((FloatVector) p.lanewise(ASHR, 16).convert(I2F, 0)).fma(s, odd3);
        }
        even0.intoArray(lanes, 0);
        odd0.intoArray(lanes, 8);
        out[outIndex] = sumEvenOdd(lanes, 0);
        even1.intoArray(lanes, 0);
        odd1.intoArray(lanes, 8);
        out[outIndex + outStride] = sumEvenOdd(lanes, 0);
        even2.intoArray(lanes, 0);
        odd2.intoArray(lanes, 8);
        out[outIndex + 2 * outStride] = sumEvenOdd(lanes, 0);
        even3.intoArray(lanes, 0);
        odd3.intoArray(lanes, 8);
        out[outIndex + 3 * outStride] = sumEvenOdd(lanes, 0);
    }

    /**
     * {@link Lanes#sum} of the 512-bit kernel's sixteen lanes, stored as this kernel keeps them: lane {@code 2k}
     * at {@code lanes[o + k]}, lane {@code 2k+1} at {@code lanes[o + 8 + k]}. The same additions in the same
     * tree (lane {@code i} with {@code i+8}, then +4, +2, +1), only read from where the lanes are.
     */
    private static float sumEvenOdd(float[] lanes, int o) {
        float s0 = lanes[o] + lanes[o + 4];
        float s1 = lanes[o + 8] + lanes[o + 12];
        float s2 = lanes[o + 1] + lanes[o + 5];
        float s3 = lanes[o + 9] + lanes[o + 13];
        float s4 = lanes[o + 2] + lanes[o + 6];
        float s5 = lanes[o + 10] + lanes[o + 14];
        float s6 = lanes[o + 3] + lanes[o + 7];
        float s7 = lanes[o + 11] + lanes[o + 15];
        return ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
    }
}
