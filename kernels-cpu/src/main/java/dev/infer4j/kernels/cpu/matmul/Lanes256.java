package dev.infer4j.kernels.cpu.matmul;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Lanes} for the 256-bit kernels (AVX2): eight lanes of 32 bits. Each 256-bit kernel keeps the sixteen
 * float lanes of its 512-bit twin as a low and a high vector of eight and does the same arithmetic on each, so
 * every lane sees the same operations in the same order; it stores the low vector at {@code lanes[o]} and the
 * high one at {@code lanes[o + 8]} and reduces them with {@link Lanes#sum}, the same tree. Its results are thus
 * the 512-bit kernel's, bit for bit ({@code VectorWidthParityTest}).
 *
 * <p>Lanes 8–15 of a sixteen-short vector are not to be taken with {@code convertShape(S2F, F, 1)}: C2 did not
 * compile that slice to registers on AVX2 and the kernel boxed (1.6 MB per 2048×2048 Q8_0 product). Read the
 * shorts as eight ints and shift instead (even lanes {@code (v << 16) >> 16}, odd lanes {@code v >> 16}).
 */
final class Lanes256 {

    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    /** Sixteen shorts: a 16-bit integer lane per value of a 16-value sub-block, as in the 512-bit kernels. */
    static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    static final VectorSpecies<Short> S8 = ShortVector.SPECIES_128;
    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final int LANES = 8;

    private Lanes256() {
    }

    /** Eight signed bytes at {@code offset}, sign-extended to ints. */
    static IntVector bytes(MemorySegment w, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B8, w, offset, Lanes.LE).convertShape(VectorOperators.B2I, I, 0);
    }

    /** Eight bytes at {@code offset}, zero-extended to ints. */
    static IntVector unsignedBytes(MemorySegment w, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B8, w, offset, Lanes.LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    /** Integer lanes as floats (exact below 2<sup>24</sup>). */
    static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Eight F16 values at {@code offset} as floats, by {@link Lanes#halfFloats}'s exact bit moves. */
    static FloatVector halfFloats(MemorySegment w, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S8, w, offset, Lanes.LE)
                .convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f);
    }

    /** Eight BF16 values at {@code offset}, as floats. */
    static FloatVector bf16Floats(MemorySegment w, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S8, w, offset, Lanes.LE)
                .convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
