package dev.infer4j.kernels.cpu.matmul;

import static dev.infer4j.kernels.cpu.matmul.Lanes.LE;
import static dev.infer4j.kernels.cpu.matmul.Lanes.half;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.B16;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.F;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.I;
import static dev.infer4j.kernels.cpu.matmul.Lanes256.floats;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * {@link IQ4_NLMatmul} for 256-bit registers (AVX2), where its sixteen-lane vectors would run in the Vector API's
 * slow Java fallback. Each sixteen-lane float vector of the 512-bit kernel is kept as a low half (lanes 0..7)
 * and a high half (lanes 8..15) with the same operations in the same order, so every float lane, and with
 * {@link Lanes#sum}'s tree the row, comes out bit for bit as there.
 *
 * <p>The table lookup differs, not its results: an eight-lane int permute cannot index sixteen entries, but the
 * table's values fit in bytes, so a block's sixteen low nibbles, then its sixteen high ones, are looked up at
 * once in a sixteen-byte table (one byte shuffle each) and the looked-up bytes widened to the same ints.
 */
final class IQ4_NLMatmul256 extends BlockMatmul {

    private static final int BLOCK_BYTES = 18;
    /** {@link IQ4_NLMatmul#VALUES} as bytes (all of them lie in -127..113). */
    private static final ByteVector TABLE;
    /** Byte lane i takes lane i + 8 (mod 16). */
    private static final VectorShuffle<Byte> UPPER_EIGHT = VectorShuffle.fromOp(B16, i -> (i + 8) & 15);

    static {
        byte[] table = new byte[16];
        for (int i = 0; i < 16; i++) {
            table[i] = (byte) IQ4_NLMatmul.VALUES[i];
        }
        TABLE = ByteVector.fromArray(B16, table, 0);
    }

    IQ4_NLMatmul256(WorkerPool pool) {
        super(GgmlType.IQ4_NL, ActivationFormat.Q8_0, pool, VectorWidth.W256);
    }

    @Override
    float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes) {
        int cols = in.cols();
        int nb = cols / 32;
        float[] a = in.values();
        float[] ds = in.scales();
        int qBase = token * cols;
        int dBase = token * nb;
        FloatVector accLow = FloatVector.zero(F);
        FloatVector accHigh = FloatVector.zero(F);
        long o = rowOffset;
        for (int b = 0; b < nb; b++, o += BLOCK_BYTES) {
            int q = qBase + b * 32;
            ByteVector n = ByteVector.fromMemorySegment(B16, w, o + 2, LE);
            // values 0..15 from the low nibbles, 16..31 from the high ones
            ByteVector lo = n.and((byte) 0xF).selectFrom(TABLE);
            // the high nibbles by a 16-bit shift (AVX2 has none for bytes); the bits it moves in are masked off
            ByteVector hi = n.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes()
                    .and((byte) 0xF).selectFrom(TABLE);
            FloatVector d = FloatVector.broadcast(F, half(w, o) * ds[dBase + b]);
            // bytes 8..15 moved down, so that every widening takes the low eight bytes: widening the high eight
            // directly slices the vector, which C2 expands into so many nodes that it stops inlining this loop
            ByteVector lo8 = lo.rearrange(UPPER_EIGHT);
            ByteVector hi8 = hi.rearrange(UPPER_EIGHT);
            FloatVector sLow = floats((IntVector) hi.convertShape(VectorOperators.B2I, I, 0))
                    .fma(FloatVector.fromArray(F, a, q + 16),
                            floats((IntVector) lo.convertShape(VectorOperators.B2I, I, 0)).mul(FloatVector.fromArray(F, a, q)));
            FloatVector sHigh = floats((IntVector) hi8.convertShape(VectorOperators.B2I, I, 0))
                    .fma(FloatVector.fromArray(F, a, q + 24),
                            floats((IntVector) lo8.convertShape(VectorOperators.B2I, I, 0)).mul(FloatVector.fromArray(F, a, q + 8)));
            accLow = sLow.fma(d, accLow);
            accHigh = sHigh.fma(d, accHigh);
        }
        accLow.intoArray(lanes, 0);
        accHigh.intoArray(lanes, 8);
        return Lanes.sum(lanes, 0);
    }
}
