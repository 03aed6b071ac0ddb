package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.S16;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.BoundedIndex;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * {@link Q4_0Matmul} for 256-bit registers (AVX2), giving its results bit for bit: the same quad fold of four
 * Q4_0 blocks into sixteen 16-bit lanes ({@link QuadGroups}), then the sixteen float lanes as a low vector of
 * eight (lanes 0–7: blocks 0 and 2) and a high one (lanes 8–15: blocks 1 and 3), each lane getting the same
 * integer, the same {@code dx·dy} and the same fused multiply-add, in the same order, as in the 512-bit kernel.
 * On an AVX2 CPU the 512-bit kernel runs in the Vector API's Java fallback, about a hundred times slower.
 *
 * <p>The 16-short products already fit a 256-bit register; what changes is how values cross lanes, which AVX2
 * does cheaply only in 32-bit units: every half or quarter swap here is an int permute ({@code vpermd}) of the
 * shorts seen as ints, where a short rearrange costs AVX2 two byte shuffles, a lane swap and a blend, and a
 * {@code convertShape} of the upper eight shorts is a generic slice. Integer sums are exact, so the fold may
 * group them differently from the 512-bit kernel as long as each lane ends with the same integer. {@link #dot4}
 * keeps {@link Q4_0Matmul}'s order (pairs of blocks, then quarters) and swaps the folded group's halves once
 * more to convert its upper eight lanes. {@link #dot} folds quarters first (blocks 0 with 2, 1 with 3) and then
 * adds each result's two halves into its lower half, the nibble bias taken off on the way, so that both float
 * halves convert from a lower half with no further swap; that shortens the chain of dependent shuffles, which
 * is what bounds the one-token loop (same-JVM, one thread: 0.92x the time), while in {@link #dot4}, whose four
 * tokens already overlap, its extra live vectors cost more registers than AVX2's sixteen (1.04–1.1x the time).
 *
 * <p>A group's four F16 scales come from two 32-byte int reads: each scale sits in one half of an int, so one
 * blend and one permute per float half place them and a shift pair sign-extends them into
 * {@link Lanes#halfFloats}'s bit moves, giving the same float as the 512-bit kernel's short rearrange.
 *
 * <p>Unlike {@link Q4_0Matmul} it has no decoded float tile for eight or more tokens: every batch goes four
 * tokens at a time through {@link #dot4}, which gives a tile's values anyway. Two 256-bit tiles were written and
 * held bit for bit, and lost to {@link #dot4}. A twin of {@link FoldedTile} could keep only half a row's group in
 * AVX2's sixteen registers (same JVM on Zen 3, two threads, weights streamed: {@code dot4} 1.1–1.27x faster from
 * 8 to 128 tokens). A token-lane tile (eight tokens across the lanes, weights broadcast, so nothing crosses
 * lanes) beat the {@code dot4} of its day by 1.03–1.13x from 16 tokens, but once {@code dot4} read its quants at
 * constant displacements and stopped masking nibbles it lost: {@code bench model} on a TinyLlama-shaped Q4_0
 * model, two interleaved rounds, prefill of 128 tokens 18.0 and 18.5 tok/s with the tile against 21.3 and 22.0
 * without, batched decode of 16 sequences 17.5 and 16.2 against 19.3 and 20.6. C2 hoisted the tile's weight
 * broadcasts and spilled them.
 */
final class Q4_0Matmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 18;
    private static final int GROUP_BYTES = QuadGroups.BLOCKS * BLOCK_BYTES;
    /** Prepared quants between one group of a token and its next ({@link QuadGroups#slot}): four tokens' 128. */
    private static final int QUAD_STRIDE = 4 * 128;
    /** Lanes at which the float halves start: lanes 8..15 are the 512-bit kernel's upper half. */
    private static final int HIGH = 8;
    /** F16 bits moved into float position ({@link Lanes#halfFloats}); the multiply by 2^112 follows. */
    private static final int HALF_BITS = 0x8FFFE000;

    /** Blocks 0 and 1 of a pair ({@link #dot4}): shorts 8..15 come from the second operand of a blend. */
    private static final VectorMask<Short> UPPER_HALF = VectorMask.fromLong(S16, 0xFF00L);
    /** Shorts 4..7 and 12..15: the second block's share of each half in a quarter fold. */
    private static final VectorMask<Short> ODD_QUARTERS = VectorMask.fromLong(S16, 0xF0F0L);
    /** {@link Q4_0Matmul}'s short half swap, as ints (shorts 2i, 2i+1 are int i): one {@code vpermd}. */
    private static final VectorShuffle<Integer> SWAP_HALVES = VectorShuffle.fromValues(I, 4, 5, 6, 7, 0, 1, 2, 3);
    /** {@link Q4_0Matmul}'s short quarter swap, as ints. */
    private static final VectorShuffle<Integer> SWAP_QUARTERS = VectorShuffle.fromValues(I, 2, 3, 0, 1, 6, 7, 4, 5);
    /**
     * The ints holding a group's scales: of 32 bytes read at the group's first byte, int 0's low and int 4's high
     * half are blocks 0 and 1 (bytes 0 and 18); of 32 read at byte 24, int 3's low and int 7's high half blocks 2
     * and 3 (bytes 36 and 54). Lanes 3 and 7 come from the second read.
     */
    private static final VectorMask<Integer> SECOND_SCALES = VectorMask.fromLong(I, 0x88L);
    /** Lanes 0–7 take blocks 0 and 2 ({@link QuadGroups#blockOfLane}): the low halves of ints 0 and 3. */
    private static final VectorShuffle<Integer> LOW_SCALES = VectorShuffle.fromValues(I, 0, 0, 0, 0, 3, 3, 3, 3);
    /** Lanes 8–15 take blocks 1 and 3: the high halves of ints 4 and 7. */
    private static final VectorShuffle<Integer> HIGH_SCALES = VectorShuffle.fromValues(I, 4, 4, 4, 4, 7, 7, 7, 7);
    /** Ints 4..7 of a blend come from the second operand. */
    private static final VectorMask<Integer> UPPER_INTS = VectorMask.fromLong(I, 0xF0L);
    Q4_0Matmul256(WorkerPool pool) {
        super(GgmlType.Q4_0, ActivationFormat.Q8_0, pool, VectorWidth.W256);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int full = cols / 32 / QuadGroups.BLOCKS;
        short[] a = in.quadQuants();
        short[] bias = in.quadBias();
        float[] dy = in.quadScales();
        int start = BoundedIndex.index(QuadGroups.slot(token, 0, QuadGroups.groups(cols), in.tokens()) * 128);
        int stride = QuadGroups.quadWidth(token, in.tokens()) * 128;
        int end = start + full * stride;
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = accLow;
        int groups = BoundedIndex.count(full);
        for (int g = 0; g < groups; g++) {
            int q = start + g * stride;
            long o = rowOffset + (long) g * GROUP_BYTES;
            int gl = q >> 3;
            ShortVector n0 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n3 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 3 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector p0 = n0.mul(ShortVector.fromArray(S16, a, q))
                    .add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1 = n1.mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2 = n2.mul(ShortVector.fromArray(S16, a, q + 64))
                    .add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3 = n3.mul(ShortVector.fromArray(S16, a, q + 96))
                    .add(n3.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 112)));
            IntVector scaleInts = IntVector.fromMemorySegment(I, w, o, LE)
                    .blend(IntVector.fromMemorySegment(I, w, o + 24, LE), SECOND_SCALES);
            FloatVector dxLow = scaleInts.rearrange(LOW_SCALES).lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(0x1p112f);
            FloatVector dxHigh = scaleInts.rearrange(HIGH_SCALES).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS)
                    .reinterpretAsFloats().mul(0x1p112f);
            // quarters: y02 = [p0 Q0+Q1, p2 Q1+Q0 | p0 Q2+Q3, p2 Q3+Q2], y13 likewise; then each one's halves
            // added into its lower half: lanes 0..7 of zLow and zHigh are float lanes 0..7 and 8..15, biased
            ShortVector y02 = p0.blend(p2, ODD_QUARTERS).add(p2.blend(p0, ODD_QUARTERS).reinterpretAsInts()
                    .rearrange(SWAP_QUARTERS).reinterpretAsShorts());
            ShortVector y13 = p1.blend(p3, ODD_QUARTERS).add(p3.blend(p1, ODD_QUARTERS).reinterpretAsInts()
                    .rearrange(SWAP_QUARTERS).reinterpretAsShorts());
            ShortVector b = ShortVector.fromArray(S16, bias, gl);
            ShortVector zLow = y02.sub(b).add(y02.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector zHigh = y13.add(y13.sub(b).reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts());
            accLow = ((FloatVector) zLow.convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxLow.mul(FloatVector.fromArray(F, dy, gl)), accLow);
            accHigh = ((FloatVector) zHigh.convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxHigh.mul(FloatVector.fromArray(F, dy, gl + HIGH)), accHigh);
        }
        accLow.intoArray(lanes, 0);
        accHigh.intoArray(lanes, HIGH);
        int rest = cols / 32 - full * QuadGroups.BLOCKS;
        if (rest > 0) {
            tailGroup(w, rowOffset + (long) full * GROUP_BYTES, rest, a, end, bias, end >> 3, dy, lanes);
        }
        return Lanes.sum(lanes, 0);
    }

    /**
     * {@link Q4_0Matmul}'s last, incomplete group of {@code rest} blocks (1 to 3), added to the accumulator at
     * {@code lanes[0..15]}; the scales go through {@code lanes[16..31]} as there.
     */
    private static void tailGroup(MemorySegment w, long o, int rest, short[] a, int q, short[] bias, int gl,
                                  float[] dy, float[] lanes) {
        ShortVector zero = ShortVector.zero(S16);
        ShortVector n0 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
        ShortVector p0 = n0.mul(ShortVector.fromArray(S16, a, q))
                .add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
        ShortVector p1 = zero;
        ShortVector p2 = zero;
        if (rest > 1) {
            ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            p1 = n1.mul(ShortVector.fromArray(S16, a, q + 32))
                    .add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
        }
        if (rest > 2) {
            ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            p2 = n2.mul(ShortVector.fromArray(S16, a, q + 64))
                    .add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
        }
        ShortVector y02 = p0.blend(p2, ODD_QUARTERS).add(p2.blend(p0, ODD_QUARTERS).reinterpretAsInts()
                .rearrange(SWAP_QUARTERS).reinterpretAsShorts());
        ShortVector y13 = p1.blend(zero, ODD_QUARTERS).add(zero.blend(p1, ODD_QUARTERS).reinterpretAsInts()
                .rearrange(SWAP_QUARTERS).reinterpretAsShorts());
        ShortVector b = ShortVector.fromArray(S16, bias, gl);
        ShortVector zLow = y02.sub(b).add(y02.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts());
        ShortVector zHigh = y13.add(y13.sub(b).reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts());
        for (int l = 0; l < QuadGroups.LANES; l++) {
            int block = QuadGroups.blockOfLane(l);
            lanes[QuadGroups.LANES + l] = block < rest ? half(w, o + (long) block * BLOCK_BYTES) : 0f;
        }
        ((FloatVector) zLow.convertShape(VectorOperators.S2F, F, 0))
                .fma(FloatVector.fromArray(F, lanes, QuadGroups.LANES).mul(FloatVector.fromArray(F, dy, gl)),
                        FloatVector.fromArray(F, lanes, 0))
                .intoArray(lanes, 0);
        ((FloatVector) zHigh.convertShape(VectorOperators.S2F, F, 0))
                .fma(FloatVector.fromArray(F, lanes, QuadGroups.LANES + HIGH)
                                .mul(FloatVector.fromArray(F, dy, gl + HIGH)),
                        FloatVector.fromArray(F, lanes, HIGH))
                .intoArray(lanes, HIGH);
    }

    /** {@link #dot}'s arithmetic for each of four tokens; a group's nibbles and scales are read once. */
    @Override
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        int cols = in.cols();
        if (cols / 32 % QuadGroups.BLOCKS != 0) {
            super.dot4(w, rowOffset, in, token, out, outIndex, outStride, lanes);
            return;
        }
        int full = cols / 32 / QuadGroups.BLOCKS;
        short[] a = in.quadQuants();
        short[] bias = in.quadBias();
        float[] dy = in.quadScales();
        int start = BoundedIndex.index(QuadGroups.slot(token, 0, QuadGroups.groups(cols), in.tokens()) * 128);
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc0h = acc0;
        FloatVector acc1 = acc0;
        FloatVector acc1h = acc0;
        FloatVector acc2 = acc0;
        FloatVector acc2h = acc0;
        FloatVector acc3 = acc0;
        FloatVector acc3h = acc0;
        int groups = BoundedIndex.count(full);
        for (int g = 0; g < groups; g++) {
            int i = start + g * QUAD_STRIDE;
            long o = rowOffset + (long) g * GROUP_BYTES;
            ShortVector n0 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n1 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n2 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 2 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            ShortVector n3 = (ShortVector) ByteVector.fromMemorySegment(B16, w, o + 3 * BLOCK_BYTES + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S16, 0);
            // each token's step is written out: a helper taking these vectors would box them if not inlined.
            // The high nibbles are shifted out anew for each token: four more live vectors spilled on AVX2's
            // sixteen registers (same JVM, four tokens: 1.07x the speed with the repeated shifts).
            IntVector scaleInts = IntVector.fromMemorySegment(I, w, o, LE)
                    .blend(IntVector.fromMemorySegment(I, w, o + 24, LE), SECOND_SCALES);
            FloatVector dxLow = scaleInts.rearrange(LOW_SCALES).lanewise(VectorOperators.LSHL, 16)
                    .lanewise(VectorOperators.ASHR, 3).and(HALF_BITS).reinterpretAsFloats().mul(0x1p112f);
            FloatVector dxHigh = scaleInts.rearrange(HIGH_SCALES).lanewise(VectorOperators.ASHR, 3).and(HALF_BITS)
                    .reinterpretAsFloats().mul(0x1p112f);
            int q = i;
            int gl = i >> 3;
            ShortVector p0_0 = n0.mul(ShortVector.fromArray(S16, a, q)).add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_0 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_0 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_0 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(n3.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_0 = p0_0.blend(p1_0, UPPER_HALF).add(p1_0.blend(p0_0, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector x23_0 = p2_0.blend(p3_0, UPPER_HALF).add(p3_0.blend(p2_0, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector z0 = x01_0.blend(x23_0, ODD_QUARTERS).add(x23_0.blend(x01_0, ODD_QUARTERS).reinterpretAsInts()
                    .rearrange(SWAP_QUARTERS).reinterpretAsShorts()).sub(ShortVector.fromArray(S16, bias, gl));
            acc0 = ((FloatVector) z0.convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxLow.mul(FloatVector.fromArray(F, dy, gl)), acc0);
            acc0h = ((FloatVector) z0.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts()
                    .convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxHigh.mul(FloatVector.fromArray(F, dy, gl + HIGH)), acc0h);
            q += 128;
            gl += QuadGroups.LANES;
            ShortVector p0_1 = n0.mul(ShortVector.fromArray(S16, a, q)).add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_1 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_1 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_1 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(n3.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_1 = p0_1.blend(p1_1, UPPER_HALF).add(p1_1.blend(p0_1, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector x23_1 = p2_1.blend(p3_1, UPPER_HALF).add(p3_1.blend(p2_1, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector z1 = x01_1.blend(x23_1, ODD_QUARTERS).add(x23_1.blend(x01_1, ODD_QUARTERS).reinterpretAsInts()
                    .rearrange(SWAP_QUARTERS).reinterpretAsShorts()).sub(ShortVector.fromArray(S16, bias, gl));
            acc1 = ((FloatVector) z1.convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxLow.mul(FloatVector.fromArray(F, dy, gl)), acc1);
            acc1h = ((FloatVector) z1.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts()
                    .convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxHigh.mul(FloatVector.fromArray(F, dy, gl + HIGH)), acc1h);
            q += 128;
            gl += QuadGroups.LANES;
            ShortVector p0_2 = n0.mul(ShortVector.fromArray(S16, a, q)).add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_2 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_2 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_2 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(n3.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_2 = p0_2.blend(p1_2, UPPER_HALF).add(p1_2.blend(p0_2, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector x23_2 = p2_2.blend(p3_2, UPPER_HALF).add(p3_2.blend(p2_2, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector z2 = x01_2.blend(x23_2, ODD_QUARTERS).add(x23_2.blend(x01_2, ODD_QUARTERS).reinterpretAsInts()
                    .rearrange(SWAP_QUARTERS).reinterpretAsShorts()).sub(ShortVector.fromArray(S16, bias, gl));
            acc2 = ((FloatVector) z2.convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxLow.mul(FloatVector.fromArray(F, dy, gl)), acc2);
            acc2h = ((FloatVector) z2.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts()
                    .convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxHigh.mul(FloatVector.fromArray(F, dy, gl + HIGH)), acc2h);
            q += 128;
            gl += QuadGroups.LANES;
            ShortVector p0_3 = n0.mul(ShortVector.fromArray(S16, a, q)).add(n0.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 16)));
            ShortVector p1_3 = n1.mul(ShortVector.fromArray(S16, a, q + 32)).add(n1.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 48)));
            ShortVector p2_3 = n2.mul(ShortVector.fromArray(S16, a, q + 64)).add(n2.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 80)));
            ShortVector p3_3 = n3.mul(ShortVector.fromArray(S16, a, q + 96)).add(n3.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(S16, a, q + 112)));
            ShortVector x01_3 = p0_3.blend(p1_3, UPPER_HALF).add(p1_3.blend(p0_3, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector x23_3 = p2_3.blend(p3_3, UPPER_HALF).add(p3_3.blend(p2_3, UPPER_HALF).reinterpretAsInts()
                    .rearrange(SWAP_HALVES).reinterpretAsShorts());
            ShortVector z3 = x01_3.blend(x23_3, ODD_QUARTERS).add(x23_3.blend(x01_3, ODD_QUARTERS).reinterpretAsInts()
                    .rearrange(SWAP_QUARTERS).reinterpretAsShorts()).sub(ShortVector.fromArray(S16, bias, gl));
            acc3 = ((FloatVector) z3.convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxLow.mul(FloatVector.fromArray(F, dy, gl)), acc3);
            acc3h = ((FloatVector) z3.reinterpretAsInts().rearrange(SWAP_HALVES).reinterpretAsShorts()
                    .convertShape(VectorOperators.S2F, F, 0))
                    .fma(dxHigh.mul(FloatVector.fromArray(F, dy, gl + HIGH)), acc3h);
        }
        acc0.intoArray(lanes, 0);
        acc0h.intoArray(lanes, HIGH);
        out[outIndex] = Lanes.sum(lanes, 0);
        acc1.intoArray(lanes, 0);
        acc1h.intoArray(lanes, HIGH);
        out[outIndex + outStride] = Lanes.sum(lanes, 0);
        acc2.intoArray(lanes, 0);
        acc2h.intoArray(lanes, HIGH);
        out[outIndex + 2 * outStride] = Lanes.sum(lanes, 0);
        acc3.intoArray(lanes, 0);
        acc3h.intoArray(lanes, HIGH);
        out[outIndex + 3 * outStride] = Lanes.sum(lanes, 0);
    }
}
