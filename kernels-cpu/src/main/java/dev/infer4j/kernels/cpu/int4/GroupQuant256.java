package dev.infer4j.kernels.cpu.int4;

import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.kernels.cpu.BoundedIndex;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The hot loops of {@link GroupQuantMatmul} in 256-bit vectors (eight float lanes, AVX2), for CPUs without
 * AVX-512: there the Vector API runs the 512-bit loops in its Java fallback, a hundred times slower.
 *
 * <p>Each method twins the 512-bit method of the same name and gives the same results bit for bit
 * ({@code GroupQuantWidthParityTest}): every output keeps one float lane and sees the same operations in the same
 * order (each nibble's {@code fma} into its sum in column order for GPTQ, in {@link AwqRowOrder} for AWQ, then
 * {@code s·(Σq·x − z·Σx)} added by one {@code fma} per group); only how many outputs one vector holds changes.
 * Zero points and scales are unpacked per eight outputs into the same integers and floats. The scratch layouts are
 * the 512-bit ones, so the task splitting and tiling in {@link GroupQuantMatmul} serve both widths.
 *
 * <p>Register budget (AVX2 has sixteen vector registers): where a 512-bit loop keeps sixteen sums, this one would
 * need thirty-two, so the four-token tiles take their outputs in narrower strips (GPTQ: sixteen outputs by four
 * tokens per pass over a group's packed rows, where the 512-bit tile takes sixty-four; AWQ: two nibbles of eight
 * words by four tokens, where it takes four nibbles of sixteen words) and re-read the group's words from cache.
 * The one-token GPTQ block of the 2- and 8-bit path takes thirty-two outputs at a time and leaves each group's
 * sums in scratch for {@link #gptqApply} rather than carrying a second set of vectors.
 *
 * <p>Every method keeps its vectors to itself (only arrays and offsets cross calls), so nothing is boxed if C2
 * declines to inline one. The two helpers at the end that do take vectors are under C2's always-inline size; the
 * F16 scale conversion is written out where it is used, because as a helper (fifty bytecodes) C2 left one of its
 * calls in {@code awqApply} out of line and every AWQ product then allocated half a megabyte.
 */
final class GroupQuant256 {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_128;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_64;
    private static final int LANES = 8;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    private static final int GPTQ_BLOCK = 64;
    private static final int AWQ_BLOCK = 128;
    /**
     * Lane {@code l}'s shift in its zero-point word: 2-bit at {@code [0, 8)}, 4-bit at {@code [8, 16)}. The 2-bit
     * word is shifted first by the position of the eight outputs in it (sixteen zero points per word).
     */
    private static final int[] ZERO_SHIFTS = {0, 2, 4, 6, 8, 10, 12, 14, 0, 4, 8, 12, 16, 20, 24, 28};

    private GroupQuant256() {
    }

    /**
     * {@code out[o + v] += s·(acc[accAt + v] − z·Σx)} for {@code count} (a multiple of eight) GPTQ outputs from
     * {@code r}, group {@code g}: the 512-bit {@code applyGroup}/{@code gptq4Apply} for any bit width, with the sum
     * carried in {@code out} instead of a register (the first group adds to the +0 the caller filled in, as the
     * 512-bit kernel's zero vector).
     */
    static void gptqApply(GroupQuantizedMatrix m, int g, int r, int count, float[] acc, int accAt, float sumX,
                          float[] out, int o) {
        MemorySegment qz = m.qzeros();
        MemorySegment sc = m.scales();
        int bits = m.bits();
        int mask = (1 << bits) - 1;
        int offset = m.zeroOffset();
        long at = (long) g * m.rows() + r;
        for (int v = 0; v < count; v += LANES, at += LANES) {
            IntVector q;
            if (bits == 8) {
                // four zero points per word, a byte each: the eight bytes are the eight zero points
                q = (IntVector) ByteVector.fromMemorySegment(B, qz, at, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            } else {
                long bit = at * bits;
                int word = qz.get(INT, bit / 32 * 4) >>> (int) (bit % 32);
                q = IntVector.broadcast(I, word)
                        .lanewise(VectorOperators.LSHR, IntVector.fromArray(I, ZERO_SHIFTS, bits == 2 ? 0 : 8))
                        .and(mask);
            }
            FloatVector z = floats(q.add(offset));
            // F16 to float in line (a helper returning a vector is past C2's always-inline size)
            FloatVector scale = ((IntVector) ShortVector.fromMemorySegment(S, sc, at * 2, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000)
                    .reinterpretAsFloats().mul(0x1p112f);
            FloatVector.fromArray(F, acc, accAt + v).sub(z.mul(sumX)).fma(scale, FloatVector.fromArray(F, out, o + v))
                    .intoArray(out, o + v);
        }
    }

    /**
     * {@link GroupQuantMatmul}'s {@code gptq4Blocks}: one token, 4-bit GPTQ, runs of sixty-four outputs.
     *
     * @return the sum of the ints read ahead
     */
    static int gptq4Blocks(GroupQuantizedMatrix m, float[] xs, int xBase, float[] sums, int sumBase, int g0,
                            int g1, int r0, int blocks, float[] out, int outBase, float[] acc) {
        MemorySegment qw = m.qweight();
        long rowBytes = 4L * m.rows();
        int cols = m.cols();
        int gs = m.groupSize();
        java.util.Arrays.fill(out, outBase + r0, outBase + r0 + blocks * GPTQ_BLOCK, 0f);
        int n = blocks * GPTQ_BLOCK;
        int touched = 0;
        for (int g = g0, c0 = g0 * gs; g < g1; g++, c0 += gs) {
            int c1 = Math.min(cols, c0 + gs);
            touched += gptq4RowSums(qw, (c0 / 8) * rowBytes + 4L * r0, rowBytes, (c1 - c0) / 8, xs, xBase + c0,
                    acc, n);
            gptqApply(m, g, r0, n, acc, 0, sums[sumBase + g], out, outBase + r0);
        }
        return touched;
    }

    /**
     * {@link GroupQuantMatmul}'s {@code gptq4RowSums} in eight-lane vectors: the same per-lane fma chain and the same
     * read ahead, here twice per line.
     *
     * @return the sum of the ints read ahead
     */
    private static int gptq4RowSums(MemorySegment qw, long o, long rowBytes, int packs, float[] xs, int xc,
                                     float[] acc, int n) {
        java.util.Arrays.fill(acc, 0, n, 0f);
        int touched = 0;
        for (int p = 0; p < packs; p++, o += rowBytes, xc += 8) {
            FloatVector x0 = FloatVector.broadcast(F, xs[xc]);
            FloatVector x1 = FloatVector.broadcast(F, xs[xc + 1]);
            FloatVector x2 = FloatVector.broadcast(F, xs[xc + 2]);
            FloatVector x3 = FloatVector.broadcast(F, xs[xc + 3]);
            FloatVector x4 = FloatVector.broadcast(F, xs[xc + 4]);
            FloatVector x5 = FloatVector.broadcast(F, xs[xc + 5]);
            FloatVector x6 = FloatVector.broadcast(F, xs[xc + 6]);
            FloatVector x7 = FloatVector.broadcast(F, xs[xc + 7]);
            for (int v = 0; v < n; v += LANES) {
                touched += ReadAhead.ahead(qw, o + 4L * v);
                IntVector q = IntVector.fromMemorySegment(I, qw, o + 4L * v, LE);
                FloatVector a = FloatVector.fromArray(F, acc, v);
                a = floats(q.and(0xF)).fma(x0, a);
                a = floats(q.and(0xF0)).fma(x1, a);
                a = floats(q.and(0xF00)).fma(x2, a);
                a = floats(q.and(0xF000)).fma(x3, a);
                a = floats(q.and(0xF0000)).fma(x4, a);
                a = floats(q.and(0xF00000)).fma(x5, a);
                a = floats(q.and(0xF000000)).fma(x6, a);
                // the top nibble masked in place would be negative as an int: shift it down instead
                a = floats(q.lanewise(VectorOperators.LSHR, 28)).fma(x7, a);
                a.intoArray(acc, v);
            }
        }
        return touched;
    }

    /**
     * {@link GroupQuantMatmul}'s {@code gptq4Tile}: {@code acc[64t + v] = Σ q·x} for output {@code v} of the
     * sixty-four at byte {@code o} and token {@code t} of four, in four strips of sixteen outputs (eight sums
     * each, which fit AVX2's registers beside the four broadcasts and the decoded nibbles).
     */
    static void gptq4Tile(MemorySegment qw, long o, long rowBytes, int packs, float[] xs, int x0, int x1, int x2,
                          int x3, float[] acc) {
        for (int strip = 0; strip < GPTQ_BLOCK; strip += 16) {
            gptq4Strip(qw, o + 4L * strip, rowBytes, packs, xs, x0, x1, x2, x3, acc, strip);
        }
    }

    /** Sixteen outputs of {@link #gptq4Tile}, at {@code acc[64t + a .. 64t + a + 15]}. */
    private static void gptq4Strip(MemorySegment qw, long o, long rowBytes, int packs, float[] xs, int x0, int x1,
                                   int x2, int x3, float[] acc, int a) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        for (int p = 0; p < packs; p++, o += rowBytes, x0 += 8, x1 += 8, x2 += 8, x3 += 8) {
            IntVector q0 = IntVector.fromMemorySegment(I, qw, o, LE);
            IntVector q1 = IntVector.fromMemorySegment(I, qw, o + 32, LE);
            for (int j = 0; j < 8; j++) {
                FloatVector d0;
                FloatVector d1;
                if (j < 7) {
                    int mask = 0xF << (4 * j);
                    d0 = floats(q0.and(mask));
                    d1 = floats(q1.and(mask));
                } else {
                    // the top nibble masked in place would be negative as an int: shift it down instead
                    d0 = floats(q0.lanewise(VectorOperators.LSHR, 28));
                    d1 = floats(q1.lanewise(VectorOperators.LSHR, 28));
                }
                FloatVector b0 = FloatVector.broadcast(F, xs[x0 + j]);
                FloatVector b1 = FloatVector.broadcast(F, xs[x1 + j]);
                FloatVector b2 = FloatVector.broadcast(F, xs[x2 + j]);
                FloatVector b3 = FloatVector.broadcast(F, xs[x3 + j]);
                a00 = d0.fma(b0, a00);
                a01 = d0.fma(b1, a01);
                a02 = d0.fma(b2, a02);
                a03 = d0.fma(b3, a03);
                a10 = d1.fma(b0, a10);
                a11 = d1.fma(b1, a11);
                a12 = d1.fma(b2, a12);
                a13 = d1.fma(b3, a13);
            }
        }
        a00.intoArray(acc, a);
        a10.intoArray(acc, a + 8);
        a01.intoArray(acc, a + 64);
        a11.intoArray(acc, a + 72);
        a02.intoArray(acc, a + 128);
        a12.intoArray(acc, a + 136);
        a03.intoArray(acc, a + 192);
        a13.intoArray(acc, a + 200);
    }

    /**
     * {@link GroupQuantMatmul}'s {@code awqBlocks}: one token, runs of 128 AWQ outputs.
     *
     * @return the sum of the ints read ahead ({@link ReadAhead}), for the caller to keep
     */
    static int awqBlocks(GroupQuantizedMatrix m, float[] x, int xBase, float[] sums, int sumBase, int g0, int g1,
                         int r0, int blocks, float[] out, int outBase, float[] work) {
        MemorySegment qw = m.qweight();
        int cols = m.cols();
        int gs = m.groupSize();
        long rowBytes = 4L * (m.rows() / 8);
        int n = blocks * AWQ_BLOCK;
        int end = Math.min(cols, g1 * gs);
        int touched = 0;
        java.util.Arrays.fill(out, outBase + r0, outBase + r0 + n, 0f);
        for (int g = g0, c0 = g0 * gs; g < g1; g++, c0 += gs) {
            int c1 = Math.min(cols, c0 + gs);
            touched += awqRowSums(qw, c0 * rowBytes + r0 / 2, rowBytes, c1 - c0, end - c0, x, xBase + c0, work, n);
            for (int k = 0, r = r0; k < blocks; k++, r += AWQ_BLOCK) {
                awqApply(m, g, r, sums[sumBase + g], work, k * AWQ_BLOCK, n, out, outBase + r);
            }
        }
        return touched;
    }

    /**
     * {@link GroupQuantMatmul}'s {@code awqRowSums}, same layout: {@code acc[128b + 16j + l]} for nibble {@code j}
     * of word lane {@code l} of run {@code b}; eight words per vector, the second eight at {@code +8}. A step here
     * takes half a line of each of the four rows, so it reads two lines of the next four ahead, where the 512-bit
     * sweep reads four.
     */
    private static int awqRowSums(MemorySegment qw, long o, long rowBytes, int inputs, int readable, float[] x,
                                  int xc, float[] acc, int n) {
        java.util.Arrays.fill(acc, 0, n, 0f);
        int words = n / 8;
        int touched = 0;
        int stride = AwqRowOrder.stride(inputs);
        if (stride > 0) {
            // AwqRowOrder's passes, four rows at a time
            long passRowBytes = stride * rowBytes;
            for (int k = 0; k < stride; k++, o += rowBytes) {
                for (int v = 0; v < words; v += LANES) {
                    int a = 8 * (v & ~15) + (v & 15);
                    awqFourRows(qw, o + 4L * v, passRowBytes, x, xc + k, stride, acc, a);
                    awqFourRows(qw, o + 4 * passRowBytes + 4L * v, passRowBytes, x, xc + k + 4 * stride, stride, acc,
                            a);
                }
            }
            return touched;
        }
        int c = 0;
        int aheadLines = ReadAhead.linesPerRowAhead(n);
        int aheadEnd = 4 * aheadLines;
        for (; c + 3 < inputs; c += 4, o += 4 * rowBytes) {
            boolean readAhead = c + 8 <= readable;
            for (int v = 0, t = 0; v < words; v += LANES, t += 2) {
                awqFourRows(qw, o + 4L * v, rowBytes, x, xc + c, 1, acc, 8 * (v & ~15) + (v & 15));
                if (readAhead && t < aheadEnd) {
                    touched += ReadAhead.lines(qw, o + 4 * rowBytes, rowBytes, aheadLines, t, 2);
                }
            }
        }
        // a group whose inputs are not a multiple of four (a whole-row group over an odd width) ends row by row
        for (; c < inputs; c++, o += rowBytes) {
            for (int v = 0; v < words; v += LANES) {
                awqOneRow(qw, o + 4L * v, x[xc + c], acc, 8 * (v & ~15) + (v & 15));
            }
        }
        return touched;
    }

    /**
     * Eight words of four input rows, {@code rowBytes} apart in the matrix and {@code xs} apart in {@code x} from
     * {@code x[xi]}, into their eight nibble sums at {@code acc[a + 16j]}.
     */
    private static void awqFourRows(MemorySegment qw, long o, long rowBytes, float[] x, int xi, int xs, float[] acc,
                                    int accAt) {
        int a = BoundedIndex.index(accAt);
        IntVector q0 = IntVector.fromMemorySegment(I, qw, o, LE);
        IntVector q1 = IntVector.fromMemorySegment(I, qw, o + rowBytes, LE);
        IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 2 * rowBytes, LE);
        IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 3 * rowBytes, LE);
        FloatVector x0 = FloatVector.broadcast(F, x[xi]);
        FloatVector x1 = FloatVector.broadcast(F, x[xi + xs]);
        FloatVector x2 = FloatVector.broadcast(F, x[xi + 2 * xs]);
        FloatVector x3 = FloatVector.broadcast(F, x[xi + 3 * xs]);
        for (int j = 0; j < 7; j++) {
            int mask = 0xF << (4 * j);
            int at = a + 16 * j;
            FloatVector s = floats(q0.and(mask)).fma(x0, FloatVector.fromArray(F, acc, at));
            s = floats(q1.and(mask)).fma(x1, s);
            s = floats(q2.and(mask)).fma(x2, s);
            floats(q3.and(mask)).fma(x3, s).intoArray(acc, at);
        }
        FloatVector s = floats(q0.lanewise(VectorOperators.LSHR, 28)).fma(x0, FloatVector.fromArray(F, acc, a + 112));
        s = floats(q1.lanewise(VectorOperators.LSHR, 28)).fma(x1, s);
        s = floats(q2.lanewise(VectorOperators.LSHR, 28)).fma(x2, s);
        floats(q3.lanewise(VectorOperators.LSHR, 28)).fma(x3, s).intoArray(acc, a + 112);
    }

    /** {@link #awqFourRows} for a single input row. */
    private static void awqOneRow(MemorySegment qw, long o, float x0, float[] acc, int accAt) {
        int a = BoundedIndex.index(accAt);
        IntVector q = IntVector.fromMemorySegment(I, qw, o, LE);
        FloatVector xa = FloatVector.broadcast(F, x0);
        for (int j = 0; j < 7; j++) {
            int at = a + 16 * j;
            floats(q.and(0xF << (4 * j))).fma(xa, FloatVector.fromArray(F, acc, at)).intoArray(acc, at);
        }
        floats(q.lanewise(VectorOperators.LSHR, 28)).fma(xa, FloatVector.fromArray(F, acc, a + 112))
                .intoArray(acc, a + 112);
    }

    /**
     * {@link GroupQuantMatmul}'s {@code awqTile}, both halves: {@code acc[128t + 16j + l] = Σ q·x} for every
     * nibble {@code j} of word lane {@code l} of the sixteen at byte {@code o}, four tokens. Taken as eight strips
     * of two nibbles of eight words, whose eight sums fit AVX2's registers.
     */
    static void awqTile(MemorySegment qw, long o, long rowBytes, int inputs, float[] x, int x0, int x1, int x2,
                        int x3, float[] acc) {
        for (int j = 0; j < 8; j += 2) {
            awqStrip(qw, o, rowBytes, inputs, x, x0, x1, x2, x3, j, acc, 16 * j);
            awqStrip(qw, o + 32, rowBytes, inputs, x, x0, x1, x2, x3, j, acc, 16 * j + 8);
        }
    }

    /** Nibbles {@code j} and {@code j + 1} of eight words for four tokens, at {@code acc[128t + a (+16)]}. */
    private static void awqStrip(MemorySegment qw, long o, long rowBytes, int inputs, float[] x, int x0, int x1,
                                 int x2, int x3, int j, float[] acc, int a) {
        int m0 = 0xF << (4 * j);
        int m1 = m0 << 4;
        boolean top = j + 1 == 7;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        int stride = AwqRowOrder.stride(inputs);
        for (int i = 0; i < inputs; i++) {
            int c = AwqRowOrder.row(i, stride);
            IntVector q = IntVector.fromMemorySegment(I, qw, o + c * rowBytes, LE);
            FloatVector b0 = FloatVector.broadcast(F, x[x0 + c]);
            FloatVector b1 = FloatVector.broadcast(F, x[x1 + c]);
            FloatVector b2 = FloatVector.broadcast(F, x[x2 + c]);
            FloatVector b3 = FloatVector.broadcast(F, x[x3 + c]);
            FloatVector d = floats(q.and(m0));
            a00 = d.fma(b0, a00);
            a01 = d.fma(b1, a01);
            a02 = d.fma(b2, a02);
            a03 = d.fma(b3, a03);
            // the top nibble masked in place would be negative as an int: shift it down instead
            d = floats(top ? q.lanewise(VectorOperators.LSHR, 28) : q.and(m1));
            a10 = d.fma(b0, a10);
            a11 = d.fma(b1, a11);
            a12 = d.fma(b2, a12);
            a13 = d.fma(b3, a13);
        }
        a00.intoArray(acc, a);
        a10.intoArray(acc, a + 16);
        a01.intoArray(acc, a + 128);
        a11.intoArray(acc, a + 144);
        a02.intoArray(acc, a + 256);
        a12.intoArray(acc, a + 272);
        a03.intoArray(acc, a + 384);
        a13.intoArray(acc, a + 400);
    }

    /**
     * {@code out[o + r] += s·(acc − z·Σx)} for group {@code g} of the 128 AWQ outputs from {@code r0}, the nibble
     * sums unzeroed into {@code work[tmpAt..tmpAt+127]} and put into output order there by {@link AwqOrder256}'s
     * three rounds, the last fused with the scaling by the file's scales. The same operations per output as the
     * 512-bit kernel's {@code awqScaleInSlots}, which scales before reordering; the results are the same bit for bit.
     */
    static void awqApply(GroupQuantizedMatrix m, int g, int r0, float sumX, float[] work, int accAt, int tmpAt,
                         float[] out, int o) {
        long wordsPerRow = m.rows() / 8;
        long zAt = ((long) g * wordsPerRow + r0 / 8) * 4;
        IntVector zLow = IntVector.fromMemorySegment(I, m.qzeros(), zAt, LE);
        IntVector zHigh = IntVector.fromMemorySegment(I, m.qzeros(), zAt + 32, LE);
        int offset = m.zeroOffset();
        for (int j = 0; j < 8; j++) {
            int to = tmpAt + 16 * PackedLayout.awqOutputOf(j);
            float place = GroupQuantMatmul.AWQ_PLACE[j];
            FloatVector z = floats(zLow.lanewise(VectorOperators.LSHR, 4 * j).and(15).add(offset));
            FloatVector.fromArray(F, work, accAt + 16 * j).mul(place).sub(z.mul(sumX)).intoArray(work, to);
            z = floats(zHigh.lanewise(VectorOperators.LSHR, 4 * j).and(15).add(offset));
            FloatVector.fromArray(F, work, accAt + 16 * j + 8).mul(place).sub(z.mul(sumX)).intoArray(work, to + 8);
        }
        for (int v = 0; v < 16; v++) {
            if ((v & 2) == 0) {
                swapLaneBit0(work, tmpAt + LANES * v, tmpAt + LANES * (v | 2));
            }
        }
        for (int v = 0; v < 16; v++) {
            if ((v & 4) == 0) {
                swapLaneBit1(work, tmpAt + LANES * v, tmpAt + LANES * (v | 4));
            }
        }
        awqScaleOut(m.scales(), ((long) g * m.rows() + r0) * 2, work, tmpAt, out, o);
    }

    /**
     * The last round of {@link AwqOrder256} (lane bit 2) fused with the scaling: {@code out[o + r] += s·value} for
     * the 128 outputs whose F16 scales start at byte {@code sAt}. The scales are converted in line: as a helper
     * returning a vector, one of the two calls here was left out of line by C2 and boxed every vector.
     */
    private static void awqScaleOut(MemorySegment scales, long sAt, float[] work, int tmpAt, float[] out, int o) {
        for (int v = 0; v < 8; v++) {
            FloatVector a = FloatVector.fromArray(F, work, tmpAt + LANES * v);
            FloatVector b = FloatVector.fromArray(F, work, tmpAt + LANES * (v + 8));
            int lo = LANES * AwqOrder256.outputVector(v);
            int hi = LANES * AwqOrder256.outputVector(v + 8);
            FloatVector sLo = ((IntVector) ShortVector.fromMemorySegment(S, scales, sAt + 2L * lo, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000)
                    .reinterpretAsFloats().mul(0x1p112f);
            FloatVector sHi = ((IntVector) ShortVector.fromMemorySegment(S, scales, sAt + 2L * hi, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000)
                    .reinterpretAsFloats().mul(0x1p112f);
            sLo.fma(a.blend(b.rearrange(AwqOrder256.FLIP_4), AwqOrder256.BIT_4), FloatVector.fromArray(F, out, o + lo))
                    .intoArray(out, o + lo);
            sHi.fma(a.rearrange(AwqOrder256.FLIP_4).blend(b, AwqOrder256.BIT_4), FloatVector.fromArray(F, out, o + hi))
                    .intoArray(out, o + hi);
        }
    }

    /** Round 0 of {@link AwqOrder256} on the pair at {@code work[lo]}, {@code work[hi]}: lane bit 0 swapped. */
    private static void swapLaneBit0(float[] work, int lo, int hi) {
        FloatVector a = FloatVector.fromArray(F, work, lo);
        FloatVector b = FloatVector.fromArray(F, work, hi);
        a.blend(b.rearrange(AwqOrder256.FLIP_1), AwqOrder256.BIT_1).intoArray(work, lo);
        a.rearrange(AwqOrder256.FLIP_1).blend(b, AwqOrder256.BIT_1).intoArray(work, hi);
    }

    /** Round 1 of {@link AwqOrder256}: lane bit 1 swapped. */
    private static void swapLaneBit1(float[] work, int lo, int hi) {
        FloatVector a = FloatVector.fromArray(F, work, lo);
        FloatVector b = FloatVector.fromArray(F, work, hi);
        a.blend(b.rearrange(AwqOrder256.FLIP_2), AwqOrder256.BIT_2).intoArray(work, lo);
        a.rearrange(AwqOrder256.FLIP_2).blend(b, AwqOrder256.BIT_2).intoArray(work, hi);
    }

    /**
     * {@link GroupQuantMatmul}'s {@code gptqBlock} (one token, consecutive groups, any bit width) for the
     * sixty-four outputs from {@code r0}, as two halves of thirty-two: per group four sums in registers, then
     * {@link #gptqApply} from {@code work}.
     */
    static void gptqBlock(GroupQuantizedMatrix m, float[] x, int xBase, float[] sums, int sumBase, int g0, int g1,
                          int r0, float[] out, int outBase, float[] work) {
        java.util.Arrays.fill(out, outBase + r0, outBase + r0 + GPTQ_BLOCK, 0f);
        gptqHalfBlock(m, x, xBase, sums, sumBase, g0, g1, r0, out, outBase, work);
        gptqHalfBlock(m, x, xBase, sums, sumBase, g0, g1, r0 + 32, out, outBase, work);
    }

    private static void gptqHalfBlock(GroupQuantizedMatrix m, float[] x, int xBase, float[] sums, int sumBase,
                                      int g0, int g1, int r0, float[] out, int outBase, float[] work) {
        MemorySegment qw = m.qweight();
        int rows = m.rows();
        int cols = m.cols();
        int bits = m.bits();
        int pack = 32 / bits;
        int mask = (1 << bits) - 1;
        int gs = m.groupSize();
        for (int g = g0, c0 = g0 * gs; g < g1; g++, c0 += gs) {
            int c1 = Math.min(cols, c0 + gs);
            FloatVector a0 = FloatVector.zero(F);
            FloatVector a1 = FloatVector.zero(F);
            FloatVector a2 = FloatVector.zero(F);
            FloatVector a3 = FloatVector.zero(F);
            int c = c0;
            while (c < c1) {
                int p = c / pack;
                int j0 = c - p * pack;
                int j1 = Math.min(pack, j0 + (c1 - c));
                long o = ((long) p * rows + r0) * 4;
                IntVector q0 = IntVector.fromMemorySegment(I, qw, o, LE);
                IntVector q1 = IntVector.fromMemorySegment(I, qw, o + 32, LE);
                IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 64, LE);
                IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 96, LE);
                int xc = xBase + p * pack;
                if (bits == 4 && j0 == 0 && j1 == 8) {
                    // the common case, unrolled so every shift is a constant
                    for (int j = 0; j < 8; j += 2) {
                        FloatVector xa = FloatVector.broadcast(F, x[xc + j]);
                        FloatVector xb = FloatVector.broadcast(F, x[xc + j + 1]);
                        int sa = 4 * j;
                        int sb = sa + 4;
                        a0 = nib(q0, sa, 15).fma(xa, a0);
                        a1 = nib(q1, sa, 15).fma(xa, a1);
                        a2 = nib(q2, sa, 15).fma(xa, a2);
                        a3 = nib(q3, sa, 15).fma(xa, a3);
                        a0 = nib(q0, sb, 15).fma(xb, a0);
                        a1 = nib(q1, sb, 15).fma(xb, a1);
                        a2 = nib(q2, sb, 15).fma(xb, a2);
                        a3 = nib(q3, sb, 15).fma(xb, a3);
                    }
                } else {
                    for (int j = j0; j < j1; j++) {
                        FloatVector xa = FloatVector.broadcast(F, x[xc + j]);
                        int sh = bits * j;
                        a0 = nib(q0, sh, mask).fma(xa, a0);
                        a1 = nib(q1, sh, mask).fma(xa, a1);
                        a2 = nib(q2, sh, mask).fma(xa, a2);
                        a3 = nib(q3, sh, mask).fma(xa, a3);
                    }
                }
                c += j1 - j0;
            }
            a0.intoArray(work, 0);
            a1.intoArray(work, 8);
            a2.intoArray(work, 16);
            a3.intoArray(work, 24);
            gptqApply(m, g, r0, 32, work, 0, sums[sumBase + g], out, outBase + r0);
        }
    }

    /**
     * {@link GroupQuantMatmul}'s {@code gptqActOrderBlock}: per-group sums of the sixty-four outputs from
     * {@code r0} in {@code acc} (same layout) over the whole input range, then each group applied in group order.
     */
    static void gptqActOrderBlock(GroupQuantizedMatrix m, float[] x, int xBase, float[] sums, int sumBase, int r0,
                                  float[] out, int outBase, float[] acc) {
        MemorySegment qw = m.qweight();
        int rows = m.rows();
        int cols = m.cols();
        int bits = m.bits();
        int pack = 32 / bits;
        int mask = (1 << bits) - 1;
        int groups = m.groups();
        java.util.Arrays.fill(acc, 0, groups * GPTQ_BLOCK, 0f);
        for (int p = 0; p < cols / pack; p++) {
            long o = ((long) p * rows + r0) * 4;
            IntVector q0 = IntVector.fromMemorySegment(I, qw, o, LE);
            IntVector q1 = IntVector.fromMemorySegment(I, qw, o + 32, LE);
            IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 64, LE);
            IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 96, LE);
            IntVector q4 = IntVector.fromMemorySegment(I, qw, o + 128, LE);
            IntVector q5 = IntVector.fromMemorySegment(I, qw, o + 160, LE);
            IntVector q6 = IntVector.fromMemorySegment(I, qw, o + 192, LE);
            IntVector q7 = IntVector.fromMemorySegment(I, qw, o + 224, LE);
            for (int j = 0; j < pack; j++) {
                int c = p * pack + j;
                int a = m.groupOf(c) * GPTQ_BLOCK;
                FloatVector xa = FloatVector.broadcast(F, x[xBase + c]);
                int sh = bits * j;
                nib(q0, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
                nib(q1, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 8)).intoArray(acc, a + 8);
                nib(q2, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 16)).intoArray(acc, a + 16);
                nib(q3, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 24)).intoArray(acc, a + 24);
                nib(q4, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 32)).intoArray(acc, a + 32);
                nib(q5, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 40)).intoArray(acc, a + 40);
                nib(q6, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 48)).intoArray(acc, a + 48);
                nib(q7, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 56)).intoArray(acc, a + 56);
            }
        }
        java.util.Arrays.fill(out, outBase + r0, outBase + r0 + GPTQ_BLOCK, 0f);
        for (int g = 0; g < groups; g++) {
            gptqApply(m, g, r0, GPTQ_BLOCK, acc, g * GPTQ_BLOCK, sums[sumBase + g], out, outBase + r0);
        }
    }

    private static FloatVector nib(IntVector q, int shift, int mask) {
        return floats(q.lanewise(VectorOperators.LSHR, shift).and(mask));
    }

    private static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }
}
