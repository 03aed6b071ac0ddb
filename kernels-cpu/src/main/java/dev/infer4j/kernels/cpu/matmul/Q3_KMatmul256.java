package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.SCALE_BYTES;
import static dev.infer4j.kernels.cpu.matmul.EvenOddLanes.naturalOrder;
import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.B16;
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
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Q3_KMatmul} for 256-bit registers (AVX2), where its sixteen-lane int and float vectors would run in the
 * Vector API's slow Java fallback. Bit for bit its results: the 16-bit products are its own, each float lane
 * gets the same exact integer and the same {@code fma} per super-block, and the lanes are reordered and added
 * as there ({@link EvenOddLanes#naturalOrder}, {@link Lanes#sum}). Three things are done another way, for AVX2:
 * <ul>
 * <li>Its sixteen-lane int accumulators only ever meet folded: float lane {@code i < 8} takes the even values'
 * 16-bit lanes {@code i} and {@code i + 8}, lane {@code 8 + i} the odd values'. So each 16-bit sum goes into
 * one eight-lane accumulator, widened once as it is and once with its 128-bit halves swapped (widening the high
 * half directly slices the vector, which AVX2 does slowly and C2 expands into thousands of nodes).</li>
 * <li>The scales are unpacked in bytes with 32-bit shifts (AVX2 has no per-lane 16-bit shifts or shuffles,
 * which the 512-bit kernel uses), llama.cpp's way: scales {@code 4t..4t+3} are the low or high nibbles of scale
 * bytes 0..3 or 4..7, with two bits of bytes 8..11 on top.</li>
 * <li>A run's scales are spread over its lanes by a byte shuffle and widened to 16 bits.</li>
 * </ul>
 */
final class Q3_KMatmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 110;
    private static final VectorSpecies<Integer> I4 = IntVector.SPECIES_128;
    /**
     * Of the 16 bytes at block offset 94 (lanes 2..13 are the twelve scale bytes): scale bytes 0..3, 4..7,
     * 0..3, 4..7, as four ints.
     */
    private static final VectorShuffle<Byte> NIBBLE_WORDS =
            VectorShuffle.fromValues(B16, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9);
    /** Scale bytes 8..11, the top bits, in each of four ints. */
    private static final VectorShuffle<Byte> TOP_BITS_WORD =
            VectorShuffle.fromValues(B16, 10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13);
    /** Per int lane t (scales 4t..4t+3): the shift of their low four bits, and of their top two. */
    private static final IntVector NIBBLE_SHIFTS = IntVector.fromArray(I4, new int[] {0, 0, 4, 4}, 0);
    private static final IntVector TOP_SHIFTS = IntVector.fromArray(I4, new int[] {0, 2, 4, 6}, 0);
    /** The four longs of a 256-bit vector with its 128-bit halves swapped. */
    private static final VectorShuffle<Long> SWAP_128 = VectorShuffle.fromValues(LongVector.SPECIES_256, 2, 3, 0, 1);

    Q3_KMatmul256(WorkerPool pool) {
        super(GgmlType.Q3_K, ActivationFormat.Q8_K, pool, VectorWidth.W256);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 256;
        short[] a = in.evenOddQuants();
        float[] ds = in.scales();
        int qBase = token * cols;
        int dBase = token * nb;
        Arrays.fill(lanes, 0, 16, 0f);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            superBlock(w, o, a, qBase + b * 256, half(w, o + 108) * ds[dBase + b], lanes);
        }
        naturalOrder(lanes, 0);
        return Lanes.sum(lanes, 0);
    }

    /**
     * One super-block into the float lanes kept at {@code lanes[0..15]} (the 512-bit kernel's accumulator order).
     * A method of its own that takes and returns no vectors, for the reason {@link Q3_KMatmul}'s is.
     */
    private static void superBlock(MemorySegment w, long o, short[] a, int q, float d, float[] lanes) {
        // 16 bytes ending with d (no read past the block): lanes 2..13 are the scale bytes
        ByteVector packed = ByteVector.fromMemorySegment(B16, w, o + 94, LE);
        ByteVector scales = ((IntVector) packed.rearrange(NIBBLE_WORDS).reinterpretAsInts())
                .lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS).and(0x0F0F0F0F)
                .or(((IntVector) packed.rearrange(TOP_BITS_WORD).reinterpretAsInts())
                        .lanewise(VectorOperators.LSHR, TOP_SHIFTS).and(0x03030303).lanewise(VectorOperators.LSHL, 4))
                .reinterpretAsBytes().sub((byte) 32);
        ShortVector hm = ShortVector.fromMemorySegment(S16, w, o, LE);
        IntVector even = IntVector.zero(I);
        IntVector odd = IntVector.zero(I);
        // two runs of 32 values per turn, run k and k+1 from the same 2-bit byte row
        for (int k = 0; k < 8; k += 2, q += 64) {
            ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 32 + 32 * (k >> 2), LE);
            int s = k & 3;
            ShortVector u0 = qs.lanewise(VectorOperators.LSHR, 2 * s).and((short) 0x0303)
                    .or(hm.lanewise(VectorOperators.LSHR, k).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
            ShortVector u1 = qs.lanewise(VectorOperators.LSHR, 2 * s + 2).and((short) 0x0303)
                    .or(hm.lanewise(VectorOperators.LSHR, k + 1).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
            ShortVector sc0 = (ShortVector) ByteVector.fromArray(B16, SCALE_BYTES, 16 * k).selectFrom(scales)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector sc1 = (ShortVector) ByteVector.fromArray(B16, SCALE_BYTES, 16 * k + 16).selectFrom(scales)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector e = u0.and((short) 0xFF).sub((short) 4).mul(sc0).mul(ShortVector.fromArray(S16, a, q))
                    .add(u1.and((short) 0xFF).sub((short) 4).mul(sc1).mul(ShortVector.fromArray(S16, a, q + 32)));
            ShortVector od = u0.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc0)
                    .mul(ShortVector.fromArray(S16, a, q + 16))
                    .add(u1.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc1)
                            .mul(ShortVector.fromArray(S16, a, q + 48)));
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
        Arrays.fill(lanes, 0, 64, 0f);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            float h = half(w, o + 108);
            int db = token * nb + b;
            superBlock4(w, o, a, token * cols + b * 256, cols,
                    h * ds[db], h * ds[db + nb], h * ds[db + 2 * nb], h * ds[db + 3 * nb], lanes);
        }
        for (int t = 0; t < 4; t++) {
            naturalOrder(lanes, 16 * t);
            out[outIndex + t * outStride] = Lanes.sum(lanes, 16 * t);
        }
    }

    /** {@link #superBlock} for four tokens, {@code cols} apart in {@code a}. */
    private static void superBlock4(MemorySegment w, long o, short[] a, int q, int cols, float d0, float d1, float d2,
                                    float d3, float[] lanes) {
        ByteVector packed = ByteVector.fromMemorySegment(B16, w, o + 94, LE);
        ByteVector scales = ((IntVector) packed.rearrange(NIBBLE_WORDS).reinterpretAsInts())
                .lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS).and(0x0F0F0F0F)
                .or(((IntVector) packed.rearrange(TOP_BITS_WORD).reinterpretAsInts())
                        .lanewise(VectorOperators.LSHR, TOP_SHIFTS).and(0x03030303).lanewise(VectorOperators.LSHL, 4))
                .reinterpretAsBytes().sub((byte) 32);
        ShortVector hm = ShortVector.fromMemorySegment(S16, w, o, LE);
        IntVector even0 = IntVector.zero(I);
        IntVector odd0 = IntVector.zero(I);
        IntVector even1 = IntVector.zero(I);
        IntVector odd1 = IntVector.zero(I);
        IntVector even2 = IntVector.zero(I);
        IntVector odd2 = IntVector.zero(I);
        IntVector even3 = IntVector.zero(I);
        IntVector odd3 = IntVector.zero(I);
        for (int k = 0; k < 8; k += 2) {
            ShortVector qs = ShortVector.fromMemorySegment(S16, w, o + 32 + 32 * (k >> 2), LE);
            int s = k & 3;
            ShortVector u0 = qs.lanewise(VectorOperators.LSHR, 2 * s).and((short) 0x0303)
                    .or(hm.lanewise(VectorOperators.LSHR, k).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
            ShortVector u1 = qs.lanewise(VectorOperators.LSHR, 2 * s + 2).and((short) 0x0303)
                    .or(hm.lanewise(VectorOperators.LSHR, k + 1).and((short) 0x0101).lanewise(VectorOperators.LSHL, 2));
            ShortVector sc0 = (ShortVector) ByteVector.fromArray(B16, SCALE_BYTES, 16 * k).selectFrom(scales)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector sc1 = (ShortVector) ByteVector.fromArray(B16, SCALE_BYTES, 16 * k + 16).selectFrom(scales)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector e0 = u0.and((short) 0xFF).sub((short) 4).mul(sc0);
            ShortVector o0 = u0.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc0);
            ShortVector e1 = u1.and((short) 0xFF).sub((short) 4).mul(sc1);
            ShortVector o1 = u1.lanewise(VectorOperators.LSHR, 8).sub((short) 4).mul(sc1);
            int p = q + 32 * k;
            ShortVector e = e0.mul(ShortVector.fromArray(S16, a, p)).add(e1.mul(ShortVector.fromArray(S16, a, p + 32)));
            ShortVector od = o0.mul(ShortVector.fromArray(S16, a, p + 16))
                    .add(o1.mul(ShortVector.fromArray(S16, a, p + 48)));
            even0 = even0.add((IntVector) e.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd0 = odd0.add((IntVector) od.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) od.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            p += cols;
            e = e0.mul(ShortVector.fromArray(S16, a, p)).add(e1.mul(ShortVector.fromArray(S16, a, p + 32)));
            od = o0.mul(ShortVector.fromArray(S16, a, p + 16)).add(o1.mul(ShortVector.fromArray(S16, a, p + 48)));
            even1 = even1.add((IntVector) e.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd1 = odd1.add((IntVector) od.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) od.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            p += cols;
            e = e0.mul(ShortVector.fromArray(S16, a, p)).add(e1.mul(ShortVector.fromArray(S16, a, p + 32)));
            od = o0.mul(ShortVector.fromArray(S16, a, p + 16)).add(o1.mul(ShortVector.fromArray(S16, a, p + 48)));
            even2 = even2.add((IntVector) e.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd2 = odd2.add((IntVector) od.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) od.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            p += cols;
            e = e0.mul(ShortVector.fromArray(S16, a, p)).add(e1.mul(ShortVector.fromArray(S16, a, p + 32)));
            od = o0.mul(ShortVector.fromArray(S16, a, p + 16)).add(o1.mul(ShortVector.fromArray(S16, a, p + 48)));
            even3 = even3.add((IntVector) e.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) e.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
                            .convertShape(VectorOperators.S2I, I, 0));
            odd3 = odd3.add((IntVector) od.convertShape(VectorOperators.S2I, I, 0))
                    .add((IntVector) od.reinterpretAsLongs().rearrange(SWAP_128).reinterpretAsShorts()
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
