package dev.infer4j.kernels.cpu.matmul;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes every kernel uses and the loads that widen packed weights into them. Sixteen lanes of
 * 32 bits (512-bit registers on AVX-512): a 32-value block is two vectors, a 16-value sub-block one.
 */
final class Lanes {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    static final int LANES = 16;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private Lanes() {
    }

    /**
     * The sum of the sixteen lanes a kernel stored at {@code lanes[offset..offset+15]} (with
     * {@code intoArray}), in one fixed order: a pairwise tree, lane i with lane i+8, then +4, +2, +1.
     *
     * <p>{@code reduceLanes(ADD)} leaves the order of a float sum open and the interpreter, C1 and C2 do pick
     * different ones, so the same row could round differently before and after warm-up. Every float reduction
     * goes through here so that a result depends only on its inputs, not on the JIT tier, the batch or the
     * tile. The vector is stored by the kernel itself and this method takes only the array: the large kernels
     * run into C2's inlining node budget, and a helper with a vector argument that is then not inlined boxes it.
     */
    static float sum(float[] lanes, int offset) {
        float s0 = lanes[offset] + lanes[offset + 8];
        float s1 = lanes[offset + 1] + lanes[offset + 9];
        float s2 = lanes[offset + 2] + lanes[offset + 10];
        float s3 = lanes[offset + 3] + lanes[offset + 11];
        float s4 = lanes[offset + 4] + lanes[offset + 12];
        float s5 = lanes[offset + 5] + lanes[offset + 13];
        float s6 = lanes[offset + 6] + lanes[offset + 14];
        float s7 = lanes[offset + 7] + lanes[offset + 15];
        return ((s0 + s4) + (s2 + s6)) + ((s1 + s5) + (s3 + s7));
    }

    /** The F16 value at {@code offset}, as a float. */
    static float half(MemorySegment w, long offset) {
        return Float.float16ToFloat(w.get(HALF, offset));
    }

    /** Sixteen signed bytes at {@code offset}, sign-extended to ints. */
    static IntVector bytes(MemorySegment w, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B16, w, offset, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    /** Sixteen bytes at {@code offset}, zero-extended to ints (so a high nibble is just a shift away). */
    static IntVector unsignedBytes(MemorySegment w, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B16, w, offset, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** Sixteen signed bytes at {@code offset}, sign-extended to shorts. */
    static ShortVector shorts(MemorySegment w, long offset) {
        return (ShortVector) ByteVector.fromMemorySegment(B16, w, offset, LE).convertShape(VectorOperators.B2S, S16, 0);
    }

    /** Integer lanes as floats (exact below 2<sup>24</sup>). */
    static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /**
     * Sixteen F16 values at {@code offset}, as floats. The half's exponent and mantissa are moved into float
     * position and the exponent re-biased by a multiply with 2<sup>112</sup>, which also turns subnormal halves
     * into the right normal floats; the sign rides along in bit 31. Infinities and NaNs (absent from weights)
     * would come out as large finite values.
     */
    static FloatVector halfFloats(MemorySegment w, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S16, w, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f);
    }

    /** Sixteen BF16 values at {@code offset}, as floats. */
    static FloatVector bf16Floats(MemorySegment w, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S16, w, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
