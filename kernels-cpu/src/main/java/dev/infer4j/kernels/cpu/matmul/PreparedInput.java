package dev.infer4j.kernels.cpu.matmul;

import dev.infer4j.kernels.cpu.VectorWidth;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A batch of activations brought into one {@link ActivationFormat}, ready for any number of matmuls whose
 * weights take that format (Q, K and V; gate and up).
 *
 * <p>Buffers grow to the largest batch seen and are reused, so preparing a step's activations allocates
 * nothing once the shapes are known. Q8_0/Q8_1 quants are kept as floats: a kernel then multiplies them
 * without a conversion, and integer sums in float lanes are exact while they stay below 2<sup>24</sup>. They
 * are also kept as shorts, for the Q8_0 kernels, whose block products fit 16-bit lanes, and in the
 * {@link QuadGroups} layouts the Q4_0 kernels read (token quads of shorts, and floats group by group for its
 * tile), each with its four blocks' scales and nibble bias per lane. Q8_K quants
 * are kept only as shorts in even/odd order ({@link #evenOddQuants()}), which is all the K-quant kernels read.
 *
 * <p>The quantizers follow llama.cpp's CPU backend on x86: Q8_0/Q8_1 use {@code d = amax/127} (stored as F16)
 * and quants {@code rint(x * 127/amax)}, ties to even; Q8_1 adds {@code s = F16(d * Σq)}; Q8_K uses
 * {@code iscale = -127/max} with {@code max} the signed value of largest magnitude, quants
 * {@code min(127, nearest_int(iscale * x))}, {@code d = 1/iscale} kept as float, and the sums of each 16 quants.
 *
 * <p>The vector loops come in the {@link VectorWidth}'s two forms, which fill the buffers identically (every
 * step is exact or lane-wise), so kernels of either width can read an input prepared by either.
 *
 * <p>Not thread-safe: one thread prepares, then kernels read it (possibly from several workers).
 */
public final class PreparedInput {

    /** Adding and subtracting 1.5·2<sup>23</sup> rounds a float of magnitude below 2<sup>22</sup> to the nearest integer, ties to even. */
    private static final float ROUNDER = 12582912f;
    /** Of two blocks' sixteen values (a, then b as 16..31): chunks a0 b0 a1 b1, four lanes each. */
    private static final FloatVector CHUNK_PAIRS_LOW = indices(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    /** The same for chunks a2 b2 a3 b3. */
    private static final FloatVector CHUNK_PAIRS_HIGH =
            indices(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    /** Of two chunk-pair vectors: the first half of each (lanes 0..7 of the first, then of the second). */
    private static final FloatVector FIRST_HALVES = indices(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    /** The second half of each. */
    private static final FloatVector SECOND_HALVES =
            indices(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);

    /** Of a block's eight values from {@code 8m} (a, then b as 8..15): chunk {@code 2m} of each side by side. */
    private static final FloatVector EVEN_CHUNKS = FloatVector.fromArray(Lanes256.F,
            new float[] {0, 1, 2, 3, 8, 9, 10, 11}, 0);
    /** The same for chunk {@code 2m+1}. */
    private static final FloatVector ODD_CHUNKS = FloatVector.fromArray(Lanes256.F,
            new float[] {4, 5, 6, 7, 12, 13, 14, 15}, 0);

    private final VectorWidth width;
    private ActivationFormat format;
    private int tokens;
    private int cols;
    private float[] values = new float[0];
    private float[] scales = new float[0];
    private float[] sums = new float[0];
    private short[] quants = new short[0];
    private short[] quadQuants = new short[0];
    private short[] quadBias = new short[0];
    private float[] quadScales = new float[0];
    private float[] tileValues = new float[0];
    private float[] tileScales = new float[0];
    private int[] blockSums = new int[0];
    private short[] evenOddQuants = new short[0];

    private static FloatVector indices(float... lanes) {
        return FloatVector.fromArray(Lanes.F, lanes, 0);
    }

    /** An empty input for this JVM's {@link VectorWidth#detected() vector width}; {@link #prepare} sizes it. */
    public PreparedInput() {
        this(VectorWidth.detected());
    }

    /** An empty input whose loops use {@code width}'s vectors; {@link #prepare} sizes it. */
    public PreparedInput(VectorWidth width) {
        this.width = Objects.requireNonNull(width, "width");
    }

    /**
     * Converts {@code tokens} rows of {@code cols} activations, row {@code t} starting at
     * {@code x[xOffset + t*xStride]}, into {@code format}, replacing what this input held.
     *
     * @return this input
     */
    public PreparedInput prepare(ActivationFormat format, float[] x, int xOffset, int xStride, int tokens, int cols) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(x, "x");
        if (tokens < 1 || cols < 1) {
            throw new IllegalArgumentException("need at least one token and one column, got tokens=" + tokens + " cols=" + cols);
        }
        if (cols % format.blockSize() != 0) {
            throw new IllegalArgumentException(format + " activations need a multiple of " + format.blockSize()
                    + " columns, got " + cols);
        }
        if (tokens > 1 && xStride < cols) {
            throw new IllegalArgumentException("x stride " + xStride + " is shorter than a row of " + cols);
        }
        long last = (long) xOffset + (long) (tokens - 1) * xStride + cols;
        if (xOffset < 0 || last > x.length) {
            throw new IllegalArgumentException("x holds " + x.length + " floats, the batch needs up to index " + last);
        }
        this.format = format;
        this.tokens = tokens;
        this.cols = cols;
        int n = tokens * cols;
        if (values.length < n) {
            values = new float[n];
        }
        int blocks = n / format.blockSize();
        switch (format) {
            case F32 -> {
                for (int t = 0; t < tokens; t++) {
                    System.arraycopy(x, xOffset + t * xStride, values, t * cols, cols);
                }
            }
            case F16 -> {
                for (int t = 0; t < tokens; t++) {
                    int src = xOffset + t * xStride;
                    int dst = t * cols;
                    for (int c = 0; c < cols; c++) {
                        values[dst + c] = Float.float16ToFloat(Float.floatToFloat16(x[src + c]));
                    }
                }
            }
            case BF16 -> {
                for (int t = 0; t < tokens; t++) {
                    int src = xOffset + t * xStride;
                    int dst = t * cols;
                    for (int c = 0; c < cols; c++) {
                        values[dst + c] = roundToBf16(x[src + c]);
                    }
                }
            }
            case Q8_0, Q8_1 -> {
                ensureScales(blocks);
                boolean withSums = format == ActivationFormat.Q8_1;
                if (sums.length < blocks) {
                    sums = new float[blocks];
                }
                if (quants.length < n) {
                    quants = new short[n];
                }
                int groupLanes = tokens * QuadGroups.groups(cols) * QuadGroups.LANES;
                int quadLanes = (tokens + 3) / 4 * 4 * QuadGroups.groups(cols) * QuadGroups.LANES;
                if (tileScales.length < groupLanes) {
                    tileScales = new float[groupLanes];
                    tileValues = new float[groupLanes * 8];
                }
                if (quadBias.length < quadLanes) {
                    quadQuants = new short[quadLanes * 8];
                    quadBias = new short[quadLanes];
                    quadScales = new float[quadLanes];
                }
                int perRow = cols / 32;
                for (int t = 0; t < tokens; t++) {
                    for (int b = 0; b < perRow; b++) {
                        if (width == VectorWidth.W512) {
                            quantizeQ8Block(x, xOffset + t * xStride + b * 32, t * cols + b * 32, t * perRow + b,
                                    withSums);
                        } else {
                            quantizeQ8Block256(x, xOffset + t * xStride + b * 32, t * cols + b * 32, t * perRow + b,
                                    withSums);
                        }
                    }
                    fillGroups(t);
                }
            }
            case Q8_K -> {
                ensureScales(blocks);
                if (blockSums.length < n / 16) {
                    blockSums = new int[n / 16];
                }
                if (evenOddQuants.length < n) {
                    evenOddQuants = new short[n];
                }
                int perRow = cols / 256;
                for (int t = 0; t < tokens; t++) {
                    for (int b = 0; b < perRow; b++) {
                        quantizeQ8KBlock(x, xOffset + t * xStride + b * 256, t * cols + b * 256, t * perRow + b);
                    }
                }
            }
        }
        return this;
    }

    private void ensureScales(int blocks) {
        if (scales.length < blocks) {
            scales = new float[blocks];
        }
    }

    /**
     * One 32-value block in two vectors. Every step is the scalar rule lane by lane (the maximum is exact in any
     * order, the rounding adds and subtracts {@link #ROUNDER} per lane, and the quant sum is a small integer),
     * so the result is the scalar quantizer's, bit for bit; it only runs several times faster, which matters
     * because one thread prepares a whole prefill chunk while the other waits.
     */
    private void quantizeQ8Block(float[] x, int src, int dst, int block, boolean withSums) {
        FloatVector lo = FloatVector.fromArray(Lanes.F, x, src);
        FloatVector hi = FloatVector.fromArray(Lanes.F, x, src + Lanes.LANES);
        float amax = lo.abs().max(hi.abs()).reduceLanes(VectorOperators.MAX);
        float d = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        FloatVector qLo = lo.mul(id).add(ROUNDER).sub(ROUNDER);
        FloatVector qHi = hi.mul(id).add(ROUNDER).sub(ROUNDER);
        qLo.intoArray(values, dst);
        qHi.intoArray(values, dst + Lanes.LANES);
        ((ShortVector) qLo.convertShape(VectorOperators.F2S, Lanes.S16, 0)).intoArray(quants, dst);
        ((ShortVector) qHi.convertShape(VectorOperators.F2S, Lanes.S16, 0))
                .intoArray(quants, dst + Lanes.LANES);
        int sum = (int) qLo.add(qHi).reduceLanes(VectorOperators.ADD);
        storeScale(block, d, sum, withSums);
    }

    /** {@link #quantizeQ8Block} in four 256-bit vectors: the same lane-wise steps, so the same quants. */
    private void quantizeQ8Block256(float[] x, int src, int dst, int block, boolean withSums) {
        FloatVector v0 = FloatVector.fromArray(Lanes256.F, x, src);
        FloatVector v1 = FloatVector.fromArray(Lanes256.F, x, src + 8);
        FloatVector v2 = FloatVector.fromArray(Lanes256.F, x, src + 16);
        FloatVector v3 = FloatVector.fromArray(Lanes256.F, x, src + 24);
        float amax = v0.abs().max(v1.abs()).max(v2.abs().max(v3.abs())).reduceLanes(VectorOperators.MAX);
        float d = amax / 127f;
        float id = amax != 0f ? 127f / amax : 0f;
        FloatVector q0 = v0.mul(id).add(ROUNDER).sub(ROUNDER);
        FloatVector q1 = v1.mul(id).add(ROUNDER).sub(ROUNDER);
        FloatVector q2 = v2.mul(id).add(ROUNDER).sub(ROUNDER);
        FloatVector q3 = v3.mul(id).add(ROUNDER).sub(ROUNDER);
        q0.intoArray(values, dst);
        q1.intoArray(values, dst + 8);
        q2.intoArray(values, dst + 16);
        q3.intoArray(values, dst + 24);
        ((ShortVector) q0.convertShape(VectorOperators.F2S, Lanes256.S8, 0)).intoArray(quants, dst);
        ((ShortVector) q1.convertShape(VectorOperators.F2S, Lanes256.S8, 0)).intoArray(quants, dst + 8);
        ((ShortVector) q2.convertShape(VectorOperators.F2S, Lanes256.S8, 0)).intoArray(quants, dst + 16);
        ((ShortVector) q3.convertShape(VectorOperators.F2S, Lanes256.S8, 0)).intoArray(quants, dst + 24);
        int sum = (int) q0.add(q1).add(q2.add(q3)).reduceLanes(VectorOperators.ADD);
        storeScale(block, d, sum, withSums);
    }

    /** A Q8_0/Q8_1 block's scale (rounded through F16) and, from its quant sum, its {@link #sums} entry. */
    private void storeScale(int block, float d, int sum, boolean withSums) {
        float storedD = Float.float16ToFloat(Float.floatToFloat16(d));
        scales[block] = storedD;
        sums[block] = withSums ? Float.float16ToFloat(Float.floatToFloat16(d * sum)) : storedD * sum;
    }

    /**
     * Token {@code t}'s {@link #quadQuants}, {@link #quadBias}, {@link #quadScales}, {@link #tileValues} and
     * {@link #tileScales}, from its quants and scales; lanes of a last group's absent blocks get zeros.
     */
    private void fillGroups(int t) {
        int perRow = cols / 32;
        int groups = QuadGroups.groups(cols);
        int full = perRow / QuadGroups.BLOCKS;
        for (int g = 0; g < full; g++) {
            int at = QuadGroups.slot(t, g, groups, tokens) * QuadGroups.LANES;
            int tileAt = (g * tokens + t) * QuadGroups.LANES;
            if (width == VectorWidth.W512) {
                wholeGroup(t, g, at, tileAt);
            } else {
                wholeGroup256(t, g, at, tileAt);
            }
            for (int l = 0; l < QuadGroups.LANES; l++) {
                float scale = scales[t * perRow + g * QuadGroups.BLOCKS + QuadGroups.blockOfLane(l)];
                quadScales[at + l] = scale;
                tileScales[tileAt + l] = scale;
            }
        }
        for (int g = full; g < groups; g++) {
            int at = QuadGroups.slot(t, g, groups, tokens) * QuadGroups.LANES;
            int tileAt = (g * tokens + t) * QuadGroups.LANES;
            for (int l = 0; l < QuadGroups.LANES; l++) {
                int block = g * QuadGroups.BLOCKS + QuadGroups.blockOfLane(l);
                int bias = 0;
                float scale = 0f;
                if (block < perRow) {
                    int first = t * cols + block * 32;
                    for (int e = l % 4; e < 32; e += 4) {
                        bias += quants[first + e];
                    }
                    scale = scales[t * perRow + block];
                }
                quadBias[at + l] = (short) (8 * bias);
                quadScales[at + l] = scale;
                for (int e = 0; e < 8; e++) {
                    int value = g * 128 + l * 8 + e;
                    quadQuants[at * 8 + l * 8 + e] = value < cols ? quants[t * cols + value] : 0;
                }
                tileScales[tileAt + l] = scale;
                for (int k = 0; k < 8; k++) {
                    tileValues[tileAt * 8 + k * QuadGroups.LANES + l] =
                            block < perRow ? quants[t * cols + block * 32 + l % 4 + 4 * k] : 0f;
                }
            }
            foldHighQuants(at * 8);
        }
    }

    /**
     * Turns the group of {@link #quadQuants} at {@code at} into the form its Q4_0 kernels multiply: in each block,
     * the quant {@code b} paired with a high nibble becomes {@code b - 16·a}, {@code a} being the quant paired with
     * the low nibble of the same byte. See {@link #quadQuants()} for why.
     */
    private void foldHighQuants(int at) {
        for (int block = 0; block < QuadGroups.BLOCKS; block++) {
            int low = at + block * 32;
            for (int i = 0; i < 16; i++) {
                quadQuants[low + 16 + i] = (short) (quadQuants[low + 16 + i] - 16 * quadQuants[low + i]);
            }
        }
    }

    /**
     * {@link #fillGroups} for a group of four present blocks, in vectors: the quants copied, the tile's order
     * made by a 4×4 transpose of four-lane chunks (blocks 0, 2, 1, 3 side by side for each chunk), and the nibble
     * bias summed from that order, where each lane already holds exactly its eight quants (integers, so exact).
     */
    private void wholeGroup(int t, int g, int at, int tileAt) {
        int src = t * cols + g * 128;
        System.arraycopy(quants, src, quadQuants, at * 8, 128);
        foldHighQuants(at * 8);
        int dst = tileAt * 8;
        FloatVector bias = FloatVector.zero(Lanes.F);
        for (int half = 0; half < 2; half++) {
            int from = src + half * Lanes.LANES;
            FloatVector b0 = FloatVector.fromArray(Lanes.F, values, from);
            FloatVector b1 = FloatVector.fromArray(Lanes.F, values, from + 32);
            FloatVector b2 = FloatVector.fromArray(Lanes.F, values, from + 64);
            FloatVector b3 = FloatVector.fromArray(Lanes.F, values, from + 96);
            FloatVector low02 = CHUNK_PAIRS_LOW.selectFrom(b0, b2);
            FloatVector high02 = CHUNK_PAIRS_HIGH.selectFrom(b0, b2);
            FloatVector low13 = CHUNK_PAIRS_LOW.selectFrom(b1, b3);
            FloatVector high13 = CHUNK_PAIRS_HIGH.selectFrom(b1, b3);
            FloatVector v0 = FIRST_HALVES.selectFrom(low02, low13);
            FloatVector v1 = SECOND_HALVES.selectFrom(low02, low13);
            FloatVector v2 = FIRST_HALVES.selectFrom(high02, high13);
            FloatVector v3 = SECOND_HALVES.selectFrom(high02, high13);
            int k = dst + half * 4 * Lanes.LANES;
            v0.intoArray(tileValues, k);
            v1.intoArray(tileValues, k + Lanes.LANES);
            v2.intoArray(tileValues, k + 2 * Lanes.LANES);
            v3.intoArray(tileValues, k + 3 * Lanes.LANES);
            bias = bias.add(v0).add(v1).add(v2).add(v3);
        }
        ((ShortVector) bias.mul(8f).convertShape(VectorOperators.F2S, Lanes.S16, 0)).intoArray(quadBias, at);
    }

    /**
     * {@link #wholeGroup} in 256-bit vectors. Vector {@code k} of the tile's order holds chunk {@code k} of blocks
     * 0 and 2 in its low eight lanes and of blocks 1 and 3 in its high eight; eight values of each block read
     * together hold chunks {@code 2m} and {@code 2m+1}, which two selects per pair of blocks put side by side.
     */
    private void wholeGroup256(int t, int g, int at, int tileAt) {
        int src = t * cols + g * 128;
        System.arraycopy(quants, src, quadQuants, at * 8, 128);
        foldHighQuants(at * 8);
        int dst = tileAt * 8;
        FloatVector biasLow = FloatVector.zero(Lanes256.F);
        FloatVector biasHigh = biasLow;
        for (int m = 0; m < 4; m++) {
            int from = src + 8 * m;
            FloatVector b0 = FloatVector.fromArray(Lanes256.F, values, from);
            FloatVector b1 = FloatVector.fromArray(Lanes256.F, values, from + 32);
            FloatVector b2 = FloatVector.fromArray(Lanes256.F, values, from + 64);
            FloatVector b3 = FloatVector.fromArray(Lanes256.F, values, from + 96);
            FloatVector evenLow = EVEN_CHUNKS.selectFrom(b0, b2);
            FloatVector evenHigh = EVEN_CHUNKS.selectFrom(b1, b3);
            FloatVector oddLow = ODD_CHUNKS.selectFrom(b0, b2);
            FloatVector oddHigh = ODD_CHUNKS.selectFrom(b1, b3);
            int k = dst + 2 * m * QuadGroups.LANES;
            evenLow.intoArray(tileValues, k);
            evenHigh.intoArray(tileValues, k + 8);
            oddLow.intoArray(tileValues, k + QuadGroups.LANES);
            oddHigh.intoArray(tileValues, k + QuadGroups.LANES + 8);
            biasLow = biasLow.add(evenLow).add(oddLow);
            biasHigh = biasHigh.add(evenHigh).add(oddHigh);
        }
        ((ShortVector) biasLow.mul(8f).convertShape(VectorOperators.F2S, Lanes256.S8, 0)).intoArray(quadBias, at);
        ((ShortVector) biasHigh.mul(8f).convertShape(VectorOperators.F2S, Lanes256.S8, 0)).intoArray(quadBias, at + 8);
    }

    private void quantizeQ8KBlock(float[] x, int src, int dst, int block) {
        float max = 0f;
        float amax = 0f;
        for (int j = 0; j < 256; j++) {
            float ax = Math.abs(x[src + j]);
            if (ax > amax) {
                amax = ax;
                max = x[src + j];
            }
        }
        int sumBase = dst / 16;
        if (amax == 0f) {
            scales[block] = 0f;
            java.util.Arrays.fill(blockSums, sumBase, sumBase + 16, 0);
            java.util.Arrays.fill(evenOddQuants, dst, dst + 256, (short) 0);
            return;
        }
        float iscale = -127f / max;
        for (int g = 0; g < 16; g++) {
            int sum = 0;
            for (int j = g * 16; j < g * 16 + 16; j++) {
                int q = (int) Math.min(127f, (iscale * x[src + j] + ROUNDER) - ROUNDER);
                evenOddQuants[dst + (j & ~31) + (j & 1) * 16 + (j & 31) / 2] = (short) q;
                sum += q;
            }
            blockSums[sumBase + g] = sum;
        }
        scales[block] = 1f / iscale;
    }

    /** Rounds to bfloat16 as ggml does: to nearest even, NaN kept quiet. */
    static float roundToBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        int rounded;
        if ((bits & 0x7fffffff) > 0x7f800000) {
            rounded = (bits >>> 16) | 64;
        } else {
            rounded = (bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16;
        }
        return Float.intBitsToFloat(rounded << 16);
    }

    /** The format of the current batch, or null before the first {@link #prepare}. */
    public ActivationFormat format() {
        return format;
    }

    /** Tokens in the current batch. */
    public int tokens() {
        return tokens;
    }

    /** Activations per token. */
    public int cols() {
        return cols;
    }

    /**
     * Q8_0/Q8_1 quants as floats, or the F32/F16/BF16 values, token {@code t} at {@code t*cols}; not filled
     * for Q8_K.
     */
    float[] values() {
        return values;
    }

    /**
     * Q8_0/Q8_1 only: the same quants as {@link #values()}, as shorts, for kernels that multiply in 16-bit
     * integer lanes (a product of a quant with a 4- or 8-bit weight and the sum of two such products fit).
     */
    short[] quants() {
        return quants;
    }

    /**
     * Q8_0/Q8_1 only: per group of four blocks, its 128 quants in their natural order (zero past the row's end),
     * group {@code g} of token {@code t} at {@code QuadGroups.slot(t, g, groups, tokens)·128}, except that in each block
     * the quant {@code b} of column {@code 16 + i} is stored as {@code b - 16·a}, {@code a} being the quant of
     * column {@code i} (at most 2159 in magnitude).
     *
     * <p>Why: a Q4_0 byte {@code n} holds column {@code i}'s nibble in its low half and column {@code 16 + i}'s
     * in its high half, and {@code lo·a + hi·b = n·a + hi·(b - 16a)} because {@code n = lo + 16·hi}. A kernel
     * multiplying in 16-bit lanes can then use the whole byte where it would mask out the low nibble; the
     * products wrap, but their sum is the true one, which fits.
     */
    short[] quadQuants() {
        return quadQuants;
    }

    /**
     * Q8_0/Q8_1 only: per group of four blocks ({@link QuadGroups}), sixteen shorts at
     * {@code QuadGroups.slot(t, g, groups, tokens)·16}: lane {@code l} holds 8 times the sum of the quants its lane sums
     * products with. A Q4_0 kernel that multiplies raw nibbles subtracts this once per group instead of
     * subtracting 8 from every nibble.
     */
    short[] quadBias() {
        return quadBias;
    }

    /**
     * Q8_0/Q8_1 only: per group of four blocks, laid out as {@link #quadBias}, each lane's block scale (zero
     * for a last group's absent blocks).
     */
    float[] quadScales() {
        return quadScales;
    }

    /**
     * Q8_0/Q8_1 only: the quants in {@link FoldedTile}'s layout, 128 per group of four blocks and token, group
     * by group ({@code (g·tokens + t)·128}) so that a tile walks all tokens of a group with one index: vector
     * {@code k} lane {@code l} is quant {@code (l mod 4) + 4k} of the lane's block (zero for a last group's absent
     * blocks).
     */
    float[] tileValues() {
        return tileValues;
    }

    /** Q8_0/Q8_1 only: {@link #quadScales} group by group, as {@link #tileValues}: {@code (g·tokens + t)·16}. */
    float[] tileScales() {
        return tileScales;
    }

    /** Block scales as floats, token {@code t}'s blocks at {@code t*cols/blockSize}. */
    float[] scales() {
        return scales;
    }

    /**
     * Per 32-value block: Q8_1 stores {@code F16(d·Σq)} as llama.cpp does; Q8_0 keeps {@code d·Σq} in float
     * so that kernels can move a constant weight offset (Q4_0's −8) out of the per-value work.
     */
    float[] sums() {
        return sums;
    }

    /**
     * Q8_K only: the quants as shorts, token {@code t} at {@code t*cols}, each run of 32 reordered to its 16
     * even-position quants, then its 16 odd-position ones. A kernel that views 32 bytes of packed weights as
     * sixteen 16-bit lanes finds the values of the even bytes in each lane's low half and of the odd bytes in
     * its high half; against this order both meet their quants lane for lane.
     */
    short[] evenOddQuants() {
        return evenOddQuants;
    }

    /** Q8_K only: the sum of each 16 quants, token {@code t} at {@code t*cols/16}. */
    int[] blockSums() {
        return blockSums;
    }
}
