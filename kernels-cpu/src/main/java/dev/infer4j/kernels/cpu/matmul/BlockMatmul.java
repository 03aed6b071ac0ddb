package dev.infer4j.kernels.cpu.matmul;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.RangeTask;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The shared driver: prepares activations, splits rows over the pool, and walks each row range in groups of
 * {@value #TILE_TOKENS} tokens so a weight row read from memory serves several tokens. A weight type only
 * supplies the dot product of one row with one token ({@link #dot}) and, where it pays, with four
 * ({@link #dot4}), or of two rows with four ({@link #dot4TwoRows}).
 */
abstract sealed class BlockMatmul implements Matmul, RangeTask
        permits F32Matmul, F16Matmul, BF16Matmul, Q8_0Matmul, Q4_0Matmul, Q4_1Matmul, Q5_0Matmul, Q5_1Matmul,
        IQ4_NLMatmul, Q2_KMatmul, Q3_KMatmul, Q4_KMatmul, Q5_KMatmul, Q6_KMatmul,
        F32Matmul256, F16Matmul256, BF16Matmul256, Q8_0Matmul256, Q4_0Matmul256, Q4_1Matmul256, Q5_0Matmul256,
        Q5_1Matmul256, IQ4_NLMatmul256, Q2_KMatmul256, Q3_KMatmul256, Q4_KMatmul256, Q5_KMatmul256, Q6_KMatmul256 {

    /** Tokens sharing one pass over a weight row. */
    static final int TILE_TOKENS = 4;
    /** Rows per unit of parallel work: small enough to balance two cores, large enough to stay in L2 across token groups. */
    private static final int ROWS_PER_TASK = 16;
    /**
     * Fewest tokens for which a {@link RowDecoder} type decodes a task's rows once and runs its float tile.
     * Measured single-threaded on cache-resident TinyLlama rows: for Q8_0's {@link DecodedTile}, at 4 and 5
     * tokens no faster, break-even at 8 and 25% faster at 32; Q4_0's {@link FoldedTile} is 1.07x its folded
     * {@code dot4} at 8 tokens, 1.15x at 12 and 1.2–1.3x from 16. With two threads and the rows coming from
     * memory, as in a batched decode step, the tiles lose that edge below 12 tokens: at 8, {@code dot4} ran at
     * 1.00–1.19x the tile's speed for Q4_0 and 0.97–1.05x for Q8_0 on the three TinyLlama shapes (same JVM,
     * alternating, Zen 4); at 9 to 11 at 0.92–1.25x, mostly ahead; at 12 and 16 the two were even or the tile
     * ahead.
     */
    static final int DECODE_MIN_TOKENS = 12;

    private final GgmlType type;
    private final ActivationFormat format;
    private final WorkerPool pool;
    private final PreparedInput ownInput;
    /** Per worker, room for the lanes of one vector ({@link Lanes#sum}); padded so workers never share a cache line. */
    private final float[][] laneScratch;
    /** Per worker, a task's rows decoded by a {@link RowDecoder}: values, then block scales. */
    private final float[][] decodedValues;
    private final float[][] decodedScales;
    /** Per worker, the two scratch arrays a {@link RowDecoder}'s own tile asks for ({@link RowDecoder#tileScratch}). */
    private final float[][][] tokenScratch;

    // The call in progress, read by the workers through run(); set before parallelFor, cleared after.
    private MemorySegment callWeights;
    private long callRowBytes;
    private int callRows;
    private PreparedInput callInput;
    private float[] callOut;
    private int callOutOffset;
    private int callOutStride;

    /** A 512-bit kernel. */
    BlockMatmul(GgmlType type, ActivationFormat format, WorkerPool pool) {
        this(type, format, pool, VectorWidth.W512);
    }

    /** A kernel whose loops use {@code width}'s vectors (its {@link PreparedInput} included). */
    BlockMatmul(GgmlType type, ActivationFormat format, WorkerPool pool, VectorWidth width) {
        this.ownInput = new PreparedInput(width);
        this.type = type;
        this.format = format;
        this.pool = Objects.requireNonNull(pool, "pool");
        this.laneScratch = new float[pool.threads()][4 * Lanes.LANES];
        this.decodedValues = new float[pool.threads()][0];
        this.decodedScales = new float[pool.threads()][0];
        this.tokenScratch = new float[pool.threads()][2][0];
    }

    @Override
    public final GgmlType weightType() {
        return type;
    }

    @Override
    public final ActivationFormat inputFormat() {
        return format;
    }

    @Override
    public final void multiply(MemorySegment weights, int rows, int cols, float[] x, int xOffset, int xStride,
                               int tokens, float[] out, int outOffset, int outStride) {
        checkCols(cols);
        ownInput.prepare(format, x, xOffset, xStride, tokens, cols);
        multiply(weights, rows, cols, ownInput, out, outOffset, outStride);
    }

    @Override
    public final void multiply(MemorySegment weights, int rows, int cols, PreparedInput input, float[] out,
                               int outOffset, int outStride) {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(out, "out");
        checkCols(cols);
        if (input.format() != format || input.cols() != cols) {
            throw new IllegalArgumentException(type + " weights need " + format + " input of " + cols
                    + " columns, got " + input.format() + " of " + input.cols());
        }
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be positive, got " + rows);
        }
        long rowBytes = type.bytesFor(cols);
        if (weights.byteSize() < rowBytes * rows) {
            throw new IllegalArgumentException(rows + " rows of " + cols + " " + type + " values take "
                    + rowBytes * rows + " bytes, the weight segment holds " + weights.byteSize());
        }
        int tokens = input.tokens();
        if (tokens > 1 && outStride < rows) {
            throw new IllegalArgumentException("out stride " + outStride + " is shorter than " + rows + " rows");
        }
        long last = (long) outOffset + (long) (tokens - 1) * outStride + rows;
        if (outOffset < 0 || last > out.length) {
            throw new IllegalArgumentException("out holds " + out.length + " floats, the product needs up to index " + last);
        }
        if (this instanceof RowDecoder decoder && tokens >= decoder.minTokens()) {
            for (int i = 0; i < decodedValues.length; i++) {
                if (decodedValues[i].length < ROWS_PER_TASK * decoder.valuesPerRow(cols)) {
                    decodedValues[i] = new float[ROWS_PER_TASK * decoder.valuesPerRow(cols)];
                    decodedScales[i] = new float[ROWS_PER_TASK * decoder.scalesPerRow(cols)];
                }
                if (tokenScratch[i][0].length < decoder.tileScratch()) {
                    tokenScratch[i][0] = new float[decoder.tileScratch()];
                    tokenScratch[i][1] = new float[decoder.tileScratch()];
                }
            }
        }
        callWeights = weights;
        callRowBytes = rowBytes;
        callRows = rows;
        callInput = input;
        callOut = out;
        callOutOffset = outOffset;
        callOutStride = outStride;
        try {
            pool.parallelFor((rows + ROWS_PER_TASK - 1) / ROWS_PER_TASK, this);
        } finally {
            callWeights = null;
            callInput = null;
            callOut = null;
        }
    }

    private void checkCols(int cols) {
        if (cols < 1 || cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " rows hold a multiple of " + type.blockSize()
                    + " values, got cols=" + cols);
        }
    }

    /** Runs tasks {@code [start, end)}, each {@value #ROWS_PER_TASK} rows for every token. */
    @Override
    public final void run(int start, int end, int worker) {
        MemorySegment w = callWeights;
        long rowBytes = callRowBytes;
        PreparedInput in = callInput;
        float[] out = callOut;
        int outOffset = callOutOffset;
        int outStride = callOutStride;
        float[] lanes = laneScratch[worker];
        int tokens = in.tokens();
        if (this instanceof RowDecoder decoder && tokens >= decoder.minTokens()) {
            for (int task = start; task < end; task++) {
                runDecoded(decoder, task, w, rowBytes, in, out, outOffset, outStride, worker);
            }
            return;
        }
        int rowEnd = Math.min(callRows, end * ROWS_PER_TASK);
        int t = 0;
        for (; t + TILE_TOKENS <= tokens; t += TILE_TOKENS) {
            int r = start * ROWS_PER_TASK;
            for (; r + 1 < rowEnd; r += 2) {
                dot4TwoRows(w, r * rowBytes, rowBytes, in, t, out, outOffset + t * outStride + r, outStride, lanes);
            }
            if (r < rowEnd) {
                dot4(w, r * rowBytes, in, t, out, outOffset + t * outStride + r, outStride, lanes);
            }
        }
        for (; t < tokens; t++) {
            for (int r = start * ROWS_PER_TASK; r < rowEnd; r++) {
                out[outOffset + t * outStride + r] = dot(w, r * rowBytes, in, t, lanes);
            }
        }
    }

    /**
     * One task's rows through the decoder's float tile, decoded once. A decoder with a tile of its own over whole
     * batches ({@link RowDecoder#multiplyDecoded}, Q4_0's) takes them there. {@link DecodedTile} takes two rows by
     * four tokens; an
     * odd last row and the last tokens short of four take {@link #dot4} and {@link #dot}, which give the same
     * values.
     */
    private void runDecoded(RowDecoder decoder, int task, MemorySegment w, long rowBytes, PreparedInput in,
                            float[] out, int outOffset, int outStride, int worker) {
        float[] values = decodedValues[worker];
        float[] scales = decodedScales[worker];
        float[] lanes = laneScratch[worker];
        int cols = in.cols();
        int r0 = task * ROWS_PER_TASK;
        int r1 = Math.min(callRows, r0 + ROWS_PER_TASK);
        int valuesPerRow = decoder.valuesPerRow(cols);
        int scalesPerRow = decoder.scalesPerRow(cols);
        for (int r = r0; r < r1; r++) {
            decoder.decodeRow(w, r * rowBytes, cols, values, (r - r0) * valuesPerRow, scales, (r - r0) * scalesPerRow);
        }
        int tokens = in.tokens();
        int t = 0;
        if (decoder.multiplyDecoded(values, scales, r1 - r0, in, tokenScratch[worker], out, outOffset + r0, outStride)) {
            return;
        }
        int pairs = r0 + (r1 - r0) / 2 * 2;
        for (; t + TILE_TOKENS <= tokens; t += TILE_TOKENS) {
            int at = outOffset + t * outStride;
            for (int r = r0; r < pairs; r += 2) {
                DecodedTile.twoRowsFourTokens(values, scales, r - r0, in, t, out, at + r, outStride, lanes);
            }
            if (pairs < r1) {
                dot4(w, pairs * rowBytes, in, t, out, at + pairs, outStride, lanes);
            }
        }
        for (; t < tokens; t++) {
            for (int r = r0; r < r1; r++) {
                out[outOffset + t * outStride + r] = dot(w, r * rowBytes, in, t, lanes);
            }
        }
    }

    /**
     * Dot product of the weight row at byte {@code rowOffset} with token {@code token} of {@code in}.
     * {@code lanes} is this worker's scratch for {@link Lanes#sum}.
     */
    abstract float dot(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] lanes);

    /**
     * Dot products of one weight row with tokens {@code token .. token+3}, written to
     * {@code out[outIndex + k*outStride]}. Types without a tiled kernel run {@link #dot} four times. A tiled
     * kernel must give each token bit for bit what {@link #dot} gives it (DESIGN principle 6: a token's result
     * may not depend on the batch it is in): the same operations on the same values in the same order, only
     * interleaved across tokens.
     */
    void dot4(MemorySegment w, long rowOffset, PreparedInput in, int token, float[] out, int outIndex, int outStride,
              float[] lanes) {
        for (int k = 0; k < TILE_TOKENS; k++) {
            out[outIndex + k * outStride] = dot(w, rowOffset, in, token + k, lanes);
        }
    }

    /**
     * {@link #dot4} for two consecutive rows, at {@code rowOffset} and {@code rowOffset + rowBytes}, whose results
     * go to {@code out[outIndex + k*outStride]} and {@code out[outIndex + 1 + k*outStride]}. A type overrides it
     * where one load of each activation vector serving both rows pays (F32: the four tokens' activations of a
     * 2048-wide row fill L1, so each vector comes from L2); the values must be {@link #dot}'s, bit for bit.
     */
    void dot4TwoRows(MemorySegment w, long rowOffset, long rowBytes, PreparedInput in, int token, float[] out,
                     int outIndex, int outStride, float[] lanes) {
        dot4(w, rowOffset, in, token, out, outIndex, outStride, lanes);
        dot4(w, rowOffset + rowBytes, in, token, out, outIndex + 1, outStride, lanes);
    }
}
