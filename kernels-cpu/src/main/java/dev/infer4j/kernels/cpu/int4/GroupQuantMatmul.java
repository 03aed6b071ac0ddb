package dev.infer4j.kernels.cpu.int4;

import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.kernels.cpu.VectorWidth;
import dev.infer4j.kernels.cpu.parallel.RangeTask;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * {@code out[t][r] = Σ_c W[r][c] · x[t][c]} for a {@link GroupQuantWeight}, reading the packed words in place.
 *
 * <p>Both layouts keep one output feature per vector lane, so a 64-byte load of packed words feeds sixteen
 * outputs: GPTQ words run along the output dimension (a word holds 32/bits consecutive inputs of one output),
 * AWQ words hold eight outputs of one input. Within a group the kernel accumulates {@code Σ q·x} over the raw
 * integers and applies the group once: {@code s·(Σ q·x − z·Σ x)}, with {@code Σ x} per group computed before the
 * workers start. Activations stay in float (there is no llama.cpp reference to round like, and no integer dot
 * product would be faster in float lanes). AWQ's interleaved nibbles come out as eight strided output sets; they
 * are put back into order by register selects ({@link AwqOrder}), not per value: the sums are scaled in that
 * strided order ({@link AwqSlotScales}) and reordered once per task (one token) or per tile (several).
 *
 * <p>Several tokens (4-bit GPTQ and AWQ with consecutive groups) go through tiles of {@value #TILE_TOKENS}: each
 * packed word is decoded once and its nibbles multiplied into every token's sums, which stay in registers for a
 * group (GPTQ: 64 outputs × 4 tokens; AWQ: half of each word's nibbles × 4 tokens). A lone token takes the
 * one-token sweep. Each token's sums see the same operations in the same order on either path, so a token's
 * result does not depend on the batch it came in.
 *
 * <p>Work is split along the inputs as well as the outputs: a task takes a K-chunk of whole groups
 * ({@value #CHUNK_COLS} inputs) for a slice of outputs and walks the chunk's packed rows front to back, so the
 * weights stream from memory in order; each chunk's sums land in a partial buffer, and the partials are added in
 * chunk order afterwards. Chunks depend only on the matrix, so a result is the same for any thread count or batch.
 *
 * <p>GPTQ act-order ({@code g_idx} not consecutive) adds each column's products to its group's accumulator in a
 * per-worker scratch row instead of a register, over the whole input range. Output rows past the last whole
 * vector block take a scalar path.
 *
 * <p>The vector loops exist in two widths ({@link VectorWidth}): the 512-bit ones in this class, for AVX-512,
 * and eight-lane twins in {@link GroupQuant256}, for AVX2, where 512-bit vectors run in the Vector API's Java
 * fallback. Both give the same results bit for bit; the task splitting, tiling and chunk sums here serve both.
 *
 * <p>Not thread-safe: one caller at a time (the step loop); the work is split over the pool's workers.
 */
public final class GroupQuantMatmul implements RangeTask {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final int LANES = 16;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    /** Outputs per GPTQ block: four vectors, so each packed input row is read as 256 contiguous bytes. */
    private static final int GPTQ_BLOCK = 64;
    /** Outputs per AWQ block: one vector of sixteen words of eight outputs. */
    private static final int AWQ_BLOCK = 128;
    /** Lanes 8..15: the second of the two qzeros words behind sixteen 4-bit GPTQ outputs. */
    private static final VectorMask<Integer> SECOND_WORD = VectorMask.fromLong(I, 0xFF00L);
    /** Lane {@code l}'s zero point sits at bit {@code 4·(l mod 8)} of its qzeros word. */
    private static final IntVector ZERO_SHIFTS = IntVector.fromArray(I,
            new int[] {0, 4, 8, 12, 16, 20, 24, 28, 0, 4, 8, 12, 16, 20, 24, 28}, 0);
    /** Tokens per tile of the many-token paths: each packed word is decoded once for this many tokens. */
    private static final int TILE_TOKENS = 4;
    /** Most packed bytes per task on the tiled paths: a stretch that stays in a core's L2 across the tiles. */
    private static final long TILE_STRETCH_BYTES = 256 << 10;
    /** Least scratch floats per worker: one AWQ tile's nibble-order sums plus one run's values in output order. */
    private static final int SCRATCH = (TILE_TOKENS + 1) * AWQ_BLOCK;
    /**
     * Input columns per K-chunk. A task covers whole groups of consecutive inputs for a run of outputs, so the
     * packed words it reads lie in one contiguous stretch of the matrix (the 16 packed GPTQ rows or 128 AWQ rows of
     * a group-128 chunk): read from memory in output-sized columns across the whole matrix instead, the words
     * came 256 bytes here and 64 there at a stride of kilobytes, which no prefetcher follows, and the kernels ran
     * at a third to a half of the speed they reach on cache-resident weights.
     */
    private static final int CHUNK_COLS = 512;
    /** Most tokens per pass, which bounds the chunk partials to {@code chunks × 16 × rows} floats. */
    private static final int SLAB_TOKENS = 16;
    /** Output rows per task of the pass that adds the chunk partials. */
    private static final int REDUCE_ROWS = 256;

    private final WorkerPool pool;
    /** Whether the 256-bit loops of {@link GroupQuant256} run instead of this class's 512-bit ones. */
    private final boolean w256;
    private final float[][] scratch;
    /** Where {@link #touch} leaves its sums, so its reads are not optimized away; a line apart per worker. */
    private final int[] touched;
    private float[] groupSums = new float[0];
    /** GPTQ 4-bit fast path: {@code x[c]·2^(−4·(c mod 8))}, so a nibble masked in place needs no shift. */
    private float[] scaledX = new float[0];
    /** Chunk {@code k}'s sums for slab token {@code t} at {@code (k·slabTokens + t)·rows}. */
    private float[] partials = new float[0];
    private final RangeTask addPartials = this::addPartials;

    // The call in progress, read by the workers; set before parallelFor, cleared after.
    private GroupQuantWeight callWeight;
    private float[] callX;
    private int callXOffset;
    private int callXStride;
    private int callTokens;
    private float[] callOut;
    private int callOutOffset;
    private int callOutStride;
    private int callChunkGroups;
    private int callChunks;
    private int callSlices;
    private int callSliceBlocks;
    private int callSlabStart;
    private int callSlabTokens;

    /** A kernel splitting rows over {@code pool}, in the vector width this CPU runs ({@link VectorWidth#detected()}). */
    public GroupQuantMatmul(WorkerPool pool) {
        this(pool, VectorWidth.detected());
    }

    /**
     * A kernel splitting rows over {@code pool}, in 256- or 512-bit vectors; the results are the same bit for bit,
     * only the speed differs (a width wider than the CPU's registers runs a hundred times slower).
     */
    public GroupQuantMatmul(WorkerPool pool, VectorWidth width) {
        this.pool = Objects.requireNonNull(pool, "pool");
        this.w256 = Objects.requireNonNull(width, "width") == VectorWidth.W256;
        this.scratch = new float[pool.threads()][];
        this.touched = new int[16 * pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new float[SCRATCH];
        }
    }

    /** Whether this kernel reads {@code m}'s layout and bit width. */
    public static boolean supports(GroupQuantizedMatrix m) {
        return switch (m.layout()) {
            case GPTQ -> m.bits() == 2 || m.bits() == 4 || m.bits() == 8;
            case AWQ_GEMM -> m.bits() == 4;
        };
    }

    /**
     * {@code out[outOffset + t*outStride + r] = Σ_c W[r][c] · x[xOffset + t*xStride + c]} for every row {@code r}
     * of {@code w} and {@code 0 ≤ t < tokens}.
     *
     * @throws IllegalArgumentException if a buffer is too small
     */
    public void multiply(GroupQuantWeight w, float[] x, int xOffset, int xStride, int tokens, float[] out,
                         int outOffset, int outStride) {
        GroupQuantizedMatrix m = w.matrix();
        int rows = m.rows();
        int cols = m.cols();
        if (tokens < 1) {
            throw new IllegalArgumentException("tokens must be positive, got " + tokens);
        }
        if ((tokens > 1 && (xStride < cols || outStride < rows)) || xOffset < 0 || outOffset < 0
                || (long) xOffset + (long) (tokens - 1) * xStride + cols > x.length
                || (long) outOffset + (long) (tokens - 1) * outStride + rows > out.length) {
            throw new IllegalArgumentException(m.name() + ": buffers too small for " + tokens + " tokens of "
                    + cols + " inputs and " + rows + " outputs (x " + x.length + ", out " + out.length + ")");
        }
        int groups = m.groups();
        if (groupSums.length < tokens * groups) {
            groupSums = new float[tokens * groups];
        }
        java.util.Arrays.fill(groupSums, 0, tokens * groups, 0f);
        for (int t = 0; t < tokens; t++) {
            int xb = xOffset + t * xStride;
            int sb = t * groups;
            if (w.consecutiveGroups()) {
                // group by group, not a division per column: that division cost 5 µs of a 2048-input product's
                // 115-120 (two threads, Zen 4) and 10-12 µs of a 5632-input one's; the sums are the same
                int gs = m.groupSize();
                for (int g = 0, c0 = 0; c0 < cols; g++, c0 += gs) {
                    int c1 = Math.min(cols, c0 + gs);
                    float sum = 0f;
                    for (int c = c0; c < c1; c++) {
                        sum += x[xb + c];
                    }
                    groupSums[sb + g] = sum;
                }
            } else {
                for (int c = 0; c < cols; c++) {
                    groupSums[sb + m.groupOf(c)] += x[xb + c];
                }
            }
        }
        if (gptq4(w)) {
            if (scaledX.length < tokens * cols) {
                scaledX = new float[tokens * cols];
            }
            for (int t = 0; t < tokens; t++) {
                int xb = xOffset + t * xStride;
                for (int c = 0; c < cols; c++) {
                    scaledX[t * cols + c] = x[xb + c] * NIBBLE_SCALE[c & 7];
                }
            }
        }
        int block = m.layout() == PackedLayout.GPTQ ? GPTQ_BLOCK : AWQ_BLOCK;
        int blocks = (rows + block - 1) / block;
        // act-order scatters a packed row's inputs over all groups, so it keeps the whole input range per task
        callChunkGroups = w.consecutiveGroups() ? Math.max(1, CHUNK_COLS / m.groupSize()) : groups;
        callChunks = (groups + callChunkGroups - 1) / callChunkGroups;
        int slices = Math.min(blocks, Math.max(1, (2 * pool.threads() + callChunks - 1) / callChunks));
        callSliceBlocks = (blocks + slices - 1) / slices;
        if (tokens > 1 && (gptq4(w) || m.layout() == PackedLayout.AWQ_GEMM)) {
            // the token tiles walk a task's stretch of the matrix once per tile: keep it small enough to stay in L2
            long chunkBytes = (long) callChunkGroups * m.groupSize() * block / 2;
            int most = (int) Math.max(1, TILE_STRETCH_BYTES / chunkBytes);
            callSliceBlocks = Math.min(callSliceBlocks, most);
        }
        callSlices = (blocks + callSliceBlocks - 1) / callSliceBlocks;
        // per worker: act-order's per-group sums of one block, or the sums of a whole slice (AWQ: plus one run in
        // output order)
        int scratchFloats = Math.max(SCRATCH, !w.consecutiveGroups() ? groups * GPTQ_BLOCK
                : callSliceBlocks * block + AWQ_BLOCK);
        for (int i = 0; i < scratch.length; i++) {
            if (scratch[i].length < scratchFloats) {
                scratch[i] = new float[scratchFloats];
            }
        }
        callWeight = w;
        callX = x;
        callXOffset = xOffset;
        callXStride = xStride;
        callTokens = tokens;
        callOut = out;
        callOutOffset = outOffset;
        callOutStride = outStride;
        try {
            for (int slab = 0; slab < tokens; slab += SLAB_TOKENS) {
                callSlabStart = slab;
                callSlabTokens = Math.min(SLAB_TOKENS, tokens - slab);
                int need = callChunks * callSlabTokens * rows;
                if (partials.length < need) {
                    partials = new float[need];
                }
                pool.parallelFor(callChunks * callSlices, this);
                pool.parallelFor((rows + REDUCE_ROWS - 1) / REDUCE_ROWS, addPartials);
            }
        } finally {
            callWeight = null;
            callX = null;
            callOut = null;
        }
    }

    /**
     * Adds the chunk partials of rows {@code [REDUCE_ROWS·start, REDUCE_ROWS·end)} in chunk order into the output,
     * so every output's sum has one order whatever the thread count or batch.
     */
    private void addPartials(int start, int end, int worker) {
        int rows = callWeight.matrix().rows();
        int r1 = Math.min(rows, end * REDUCE_ROWS);
        int n = callSlabTokens;
        for (int t = 0; t < n; t++) {
            int o = callOutOffset + (callSlabStart + t) * callOutStride;
            for (int r = start * REDUCE_ROWS; r < r1; r++) {
                float sum = partials[t * rows + r];
                for (int k = 1; k < callChunks; k++) {
                    sum += partials[(k * n + t) * rows + r];
                }
                callOut[o + r] = sum;
            }
        }
    }

    /**
     * Runs tasks {@code [start, end)}: task {@code k·slices + i} sums input chunk {@code k} (whole groups) for
     * output slice {@code i}, for every token of the slab, into that chunk's partials.
     */
    @Override
    public void run(int start, int end, int worker) {
        GroupQuantWeight w = callWeight;
        GroupQuantizedMatrix m = w.matrix();
        boolean gptq = m.layout() == PackedLayout.GPTQ;
        int block = gptq ? GPTQ_BLOCK : AWQ_BLOCK;
        int groups = m.groups();
        int rows = m.rows();
        float[] work = scratch[worker];
        boolean fast4 = gptq4(w);
        // tiles of up to TILE_TOKENS tokens decode each packed word once for all of them; a lone last token (or
        // a lone token) takes the one-token sweep, which reads the weights in a single pass
        int tiled = !fast4 && gptq ? 0 : tiledTokens(callSlabTokens);
        for (int task = start; task < end; task++) {
            int chunk = task / callSlices;
            int g0 = chunk * callChunkGroups;
            int g1 = Math.min(groups, g0 + callChunkGroups);
            int r0 = (task - chunk * callSlices) * callSliceBlocks * block;
            int r1 = Math.min(rows, r0 + callSliceBlocks * block);
            int whole = (r1 - r0) / block;
            if (whole > 0 && tiled > 0) {
                touch(m, g0, g1, r0, r0 + whole * block, worker);
                if (gptq) {
                    gptq4Tiles(m, tiled, g0, g1, r0, whole, chunk, work);
                } else {
                    awqTiles(w, tiled, g0, g1, r0, whole, chunk, work);
                }
            }
            for (int i = 0; i < callSlabTokens; i++) {
                int t = callSlabStart + i;
                int xBase = callXOffset + t * callXStride;
                int outBase = (chunk * callSlabTokens + i) * rows;
                if (whole > 0 && i >= tiled && w256) {
                    if (!gptq) {
                        touched[worker * 16] += GroupQuant256.awqBlocks(m, callX, xBase, groupSums, t * groups, g0,
                                g1, r0, whole, partials, outBase, work);
                    } else if (fast4) {
                        touched[worker * 16] += GroupQuant256.gptq4Blocks(m, scaledX, t * m.cols(), groupSums,
                                t * groups, g0, g1, r0, whole, partials, outBase, work);
                    } else {
                        for (int k = 0; k < whole; k++) {
                            if (w.consecutiveGroups()) {
                                GroupQuant256.gptqBlock(m, callX, xBase, groupSums, t * groups, g0, g1, r0 + k * block,
                                        partials, outBase, work);
                            } else {
                                GroupQuant256.gptqActOrderBlock(m, callX, xBase, groupSums, t * groups, r0 + k * block,
                                        partials, outBase, work);
                            }
                        }
                    }
                } else if (whole > 0 && i >= tiled) {
                    if (!gptq) {
                        touched[worker * 16] += awqBlocks(w, callX, xBase, groupSums, t * groups, g0, g1, r0, whole,
                                partials, outBase, work);
                    } else if (fast4) {
                        touched[worker * 16] += gptq4Blocks(m, scaledX, t * m.cols(), groupSums, t * groups, g0,
                                g1, r0, whole, partials, outBase, work);
                    } else {
                        for (int k = 0; k < whole; k++) {
                            if (w.consecutiveGroups()) {
                                gptqBlock(m, callX, xBase, groupSums, t * groups, g0, g1, r0 + k * block, partials,
                                        outBase);
                            } else {
                                gptqActOrderBlock(m, callX, xBase, groupSums, t * groups, r0 + k * block, partials,
                                        outBase, work);
                            }
                        }
                    }
                }
                int tail = r0 + whole * block;
                if (tail < r1) {
                    // rows past the last whole vector block: all inputs in chunk 0, nothing in the others
                    if (chunk == 0) {
                        scalarRows(m, tail, r1, callX, xBase, partials, outBase);
                    } else {
                        java.util.Arrays.fill(partials, outBase + tail, outBase + r1, 0f);
                    }
                }
            }
        }
    }

    /**
     * Reads one word per cache line of the task's stretch of {@code qweight} (groups {@code [g0, g1)}, outputs
     * {@code [r0, r1)}) front to back. The tiles then walk it a block of outputs at a time, a few hundred bytes
     * every few kilobytes, which no prefetcher follows from memory: the first tile stalled on every line and a
     * four-token product took as long as an eight-token one. Read in order first, the stretch streams into cache.
     */
    private void touch(GroupQuantizedMatrix m, int g0, int g1, int r0, int r1, int worker) {
        MemorySegment qw = m.qweight();
        int gs = m.groupSize();
        int c0 = g0 * gs;
        int c1 = Math.min(m.cols(), g1 * gs);
        long rowBytes;
        long from;
        long to;
        int first;
        int last;
        if (m.layout() == PackedLayout.GPTQ) {
            rowBytes = 4L * m.rows();
            first = c0 / 8;
            last = (c1 + 7) / 8;
            from = 4L * r0;
            to = 4L * r1;
        } else {
            rowBytes = 4L * (m.rows() / 8);
            first = c0;
            last = c1;
            from = r0 / 2;
            to = r1 / 2;
        }
        int sum = 0;
        for (int p = first; p < last; p++) {
            long base = p * rowBytes;
            for (long o = base + from; o < base + to; o += 64) {
                sum += qw.get(INT, o);
            }
        }
        touched[worker * 16] = sum;
    }

    /**
     * How many of a slab's first tokens go through the token tiles: all of them, except a lone token left after
     * the whole tiles (or a slab of one), which the one-token sweep takes; two or three left over share a tile
     * padded with copies of the last.
     */
    static int tiledTokens(int slabTokens) {
        return slabTokens < 2 ? 0 : slabTokens - (slabTokens % TILE_TOKENS == 1 ? 1 : 0);
    }

    /**
     * Slab tokens {@code [0, tiled)} for {@code blocks} runs of sixty-four 4-bit GPTQ outputs from {@code r0},
     * groups {@code [g0, g1)}: per run, per tile of four tokens, per group the sums of {@link #gptq4Tile} and then
     * each token's {@link #gptq4Apply}. A run's stretch of the chunk stays in cache across the tiles.
     */
    private void gptq4Tiles(GroupQuantizedMatrix m, int tiled, int g0, int g1, int r0, int blocks, int chunk,
                            float[] work) {
        MemorySegment qw = m.qweight();
        long rowBytes = 4L * m.rows();
        int rows = m.rows();
        int cols = m.cols();
        int gs = m.groupSize();
        int groups = m.groups();
        for (int k = 0, r = r0; k < blocks; k++, r += GPTQ_BLOCK) {
            for (int i0 = 0; i0 < tiled; i0 += TILE_TOKENS) {
                int n = Math.min(TILE_TOKENS, tiled - i0);
                int t0 = callSlabStart + i0;
                for (int i = 0; i < n; i++) {
                    int o = (chunk * callSlabTokens + i0 + i) * rows + r;
                    java.util.Arrays.fill(partials, o, o + GPTQ_BLOCK, 0f);
                }
                // a short tile repeats its last token in the missing places and drops those sums
                int x0 = t0 * cols;
                int x1 = (t0 + Math.min(1, n - 1)) * cols;
                int x2 = (t0 + Math.min(2, n - 1)) * cols;
                int x3 = (t0 + Math.min(3, n - 1)) * cols;
                for (int g = g0, c0 = g0 * gs; g < g1; g++, c0 += gs) {
                    int c1 = Math.min(cols, c0 + gs);
                    if (w256) {
                        GroupQuant256.gptq4Tile(qw, (c0 / 8) * rowBytes + 4L * r, rowBytes, (c1 - c0) / 8, scaledX,
                                x0 + c0, x1 + c0, x2 + c0, x3 + c0, work);
                        for (int i = 0; i < n; i++) {
                            int o = (chunk * callSlabTokens + i0 + i) * rows + r;
                            GroupQuant256.gptqApply(m, g, r, GPTQ_BLOCK, work, GPTQ_BLOCK * i,
                                    groupSums[(t0 + i) * groups + g], partials, o);
                        }
                        continue;
                    }
                    gptq4Tile(qw, (c0 / 8) * rowBytes + 4L * r, rowBytes, (c1 - c0) / 8, scaledX, x0 + c0, x1 + c0,
                            x2 + c0, x3 + c0, work);
                    for (int i = 0; i < n; i++) {
                        int o = (chunk * callSlabTokens + i0 + i) * rows + r;
                        float sx = groupSums[(t0 + i) * groups + g];
                        for (int v = 0; v < GPTQ_BLOCK; v += LANES) {
                            gptq4Apply(m, g, r + v, work, GPTQ_BLOCK * i + v, sx, partials, o + v);
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code acc[64t + 16v + l] = Σ q·x} over {@code packs} packed rows for output {@code 16v + l} of the run at
     * byte {@code o} and token {@code t} of four whose pre-scaled activations start at {@code x0..x3}: each
     * nibble is decoded once and multiplied into all four tokens' sums, which stay in registers for the group.
     * Each lane adds its inputs in column order, exactly as {@link #gptq4RowSums} does for one token.
     */
    private static void gptq4Tile(MemorySegment qw, long o, long rowBytes, int packs, float[] xs, int x0, int x1,
                                  int x2, int x3, float[] acc) {
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a23 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a33 = a00;
        for (int p = 0; p < packs; p++, o += rowBytes, x0 += 8, x1 += 8, x2 += 8, x3 += 8) {
            IntVector q0 = IntVector.fromMemorySegment(I, qw, o, LE);
            IntVector q1 = IntVector.fromMemorySegment(I, qw, o + 64, LE);
            IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 128, LE);
            IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 192, LE);
            for (int j = 0; j < 8; j++) {
                FloatVector d0;
                FloatVector d1;
                FloatVector d2;
                FloatVector d3;
                if (j < 7) {
                    int mask = 0xF << (4 * j);
                    d0 = floats(q0.and(mask));
                    d1 = floats(q1.and(mask));
                    d2 = floats(q2.and(mask));
                    d3 = floats(q3.and(mask));
                } else {
                    // the top nibble masked in place would be negative as an int: shift it down instead
                    d0 = floats(q0.lanewise(VectorOperators.LSHR, 28));
                    d1 = floats(q1.lanewise(VectorOperators.LSHR, 28));
                    d2 = floats(q2.lanewise(VectorOperators.LSHR, 28));
                    d3 = floats(q3.lanewise(VectorOperators.LSHR, 28));
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
                a20 = d2.fma(b0, a20);
                a21 = d2.fma(b1, a21);
                a22 = d2.fma(b2, a22);
                a23 = d2.fma(b3, a23);
                a30 = d3.fma(b0, a30);
                a31 = d3.fma(b1, a31);
                a32 = d3.fma(b2, a32);
                a33 = d3.fma(b3, a33);
            }
        }
        a00.intoArray(acc, 0);
        a10.intoArray(acc, 16);
        a20.intoArray(acc, 32);
        a30.intoArray(acc, 48);
        a01.intoArray(acc, 64);
        a11.intoArray(acc, 80);
        a21.intoArray(acc, 96);
        a31.intoArray(acc, 112);
        a02.intoArray(acc, 128);
        a12.intoArray(acc, 144);
        a22.intoArray(acc, 160);
        a32.intoArray(acc, 176);
        a03.intoArray(acc, 192);
        a13.intoArray(acc, 208);
        a23.intoArray(acc, 224);
        a33.intoArray(acc, 240);
    }

    /**
     * Slab tokens {@code [0, tiled)} for {@code blocks} runs of 128 AWQ outputs from {@code r0}, groups
     * {@code [g0, g1)}: per run, per tile of four tokens, per group the nibble sums of the two halves of each word
     * ({@link #awqTile}) and then each token's {@link #awqScaleInSlots}; after the last group each token's run is put
     * into output order ({@link #awqToOutputOrder}). A run's stretch of the chunk stays in cache across the tiles.
     */
    private void awqTiles(GroupQuantWeight w, int tiled, int g0, int g1, int r0, int blocks, int chunk,
                          float[] work) {
        GroupQuantizedMatrix m = w.matrix();
        MemorySegment qw = m.qweight();
        int rows = m.rows();
        int cols = m.cols();
        int gs = m.groupSize();
        int groups = m.groups();
        long rowBytes = 4L * (rows / 8);
        for (int k = 0, r = r0; k < blocks; k++, r += AWQ_BLOCK) {
            for (int i0 = 0; i0 < tiled; i0 += TILE_TOKENS) {
                int n = Math.min(TILE_TOKENS, tiled - i0);
                int t0 = callSlabStart + i0;
                for (int i = 0; i < n; i++) {
                    int o = (chunk * callSlabTokens + i0 + i) * rows + r;
                    java.util.Arrays.fill(partials, o, o + AWQ_BLOCK, 0f);
                }
                // a short tile repeats its last token in the missing places and drops those sums
                int x0 = callXOffset + t0 * callXStride;
                int x1 = x0 + Math.min(1, n - 1) * callXStride;
                int x2 = x0 + Math.min(2, n - 1) * callXStride;
                int x3 = x0 + Math.min(3, n - 1) * callXStride;
                for (int g = g0, c0 = g0 * gs; g < g1; g++, c0 += gs) {
                    int c1 = Math.min(cols, c0 + gs);
                    long o = c0 * rowBytes + r / 2;
                    if (w256) {
                        GroupQuant256.awqTile(qw, o, rowBytes, c1 - c0, callX, x0 + c0, x1 + c0, x2 + c0, x3 + c0, work);
                        for (int i = 0; i < n; i++) {
                            int out = (chunk * callSlabTokens + i0 + i) * rows + r;
                            GroupQuant256.awqApply(m, g, r, groupSums[(t0 + i) * groups + g], work, AWQ_BLOCK * i,
                                    TILE_TOKENS * AWQ_BLOCK, partials, out);
                        }
                        continue;
                    }
                    awqTile(qw, o, rowBytes, c1 - c0, callX, x0 + c0, x1 + c0, x2 + c0, x3 + c0, 0, work);
                    awqTile(qw, o, rowBytes, c1 - c0, callX, x0 + c0, x1 + c0, x2 + c0, x3 + c0, 1, work);
                    for (int i = 0; i < n; i++) {
                        int out = (chunk * callSlabTokens + i0 + i) * rows + r;
                        awqScaleInSlots(m, w.awqSlotScales(), g, r, groupSums[(t0 + i) * groups + g], work,
                                AWQ_BLOCK * i, partials, out);
                    }
                }
                if (!w256) {
                    for (int i = 0; i < n; i++) {
                        awqToOutputOrder(partials, (chunk * callSlabTokens + i0 + i) * rows + r);
                    }
                }
            }
        }
    }

    /**
     * Half {@code h} of every word: {@code acc[128t + 16j + l] = Σ q·x} for nibble {@code j} in {@code [4h, 4h+4)}
     * (masked in place, so still times 16^j) of word lane {@code l}, over {@code inputs} input rows of sixteen words
     * from byte {@code o}, for the four tokens whose activations start at {@code x0..x3}. Each nibble is decoded
     * once for the four tokens; the sixteen sums stay in registers for the group. Each lane adds its inputs in
     * {@link AwqRowOrder}, exactly as {@link #awqRowSums} does for one token.
     */
    private static void awqTile(MemorySegment qw, long o, long rowBytes, int inputs, float[] x, int x0, int x1,
                                int x2, int x3, int h, float[] acc) {
        int m0 = 0xF << (16 * h);
        int m1 = m0 << 4;
        int m2 = m0 << 8;
        int m3 = m0 << 12;
        FloatVector a00 = FloatVector.zero(F);
        FloatVector a01 = a00;
        FloatVector a02 = a00;
        FloatVector a03 = a00;
        FloatVector a10 = a00;
        FloatVector a11 = a00;
        FloatVector a12 = a00;
        FloatVector a13 = a00;
        FloatVector a20 = a00;
        FloatVector a21 = a00;
        FloatVector a22 = a00;
        FloatVector a23 = a00;
        FloatVector a30 = a00;
        FloatVector a31 = a00;
        FloatVector a32 = a00;
        FloatVector a33 = a00;
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
            d = floats(q.and(m1));
            a10 = d.fma(b0, a10);
            a11 = d.fma(b1, a11);
            a12 = d.fma(b2, a12);
            a13 = d.fma(b3, a13);
            d = floats(q.and(m2));
            a20 = d.fma(b0, a20);
            a21 = d.fma(b1, a21);
            a22 = d.fma(b2, a22);
            a23 = d.fma(b3, a23);
            // the top nibble masked in place would be negative as an int: shift it down instead
            d = floats(h == 0 ? q.and(m3) : q.lanewise(VectorOperators.LSHR, 28));
            a30 = d.fma(b0, a30);
            a31 = d.fma(b1, a31);
            a32 = d.fma(b2, a32);
            a33 = d.fma(b3, a33);
        }
        int a = 64 * h;
        a00.intoArray(acc, a);
        a10.intoArray(acc, a + 16);
        a20.intoArray(acc, a + 32);
        a30.intoArray(acc, a + 48);
        a01.intoArray(acc, a + 128);
        a11.intoArray(acc, a + 144);
        a21.intoArray(acc, a + 160);
        a31.intoArray(acc, a + 176);
        a02.intoArray(acc, a + 256);
        a12.intoArray(acc, a + 272);
        a22.intoArray(acc, a + 288);
        a32.intoArray(acc, a + 304);
        a03.intoArray(acc, a + 384);
        a13.intoArray(acc, a + 400);
        a23.intoArray(acc, a + 416);
        a33.intoArray(acc, a + 432);
    }

    private static void gptqBlock(GroupQuantizedMatrix m, float[] x, int xBase, float[] sums, int sumBase, int g0,
                                  int g1, int r0, float[] out, int outBase) {
        MemorySegment qw = m.qweight();
        int rows = m.rows();
        int cols = m.cols();
        int bits = m.bits();
        int pack = 32 / bits;
        int mask = (1 << bits) - 1;
        int gs = m.groupSize();
        FloatVector t0 = FloatVector.zero(F);
        FloatVector t1 = FloatVector.zero(F);
        FloatVector t2 = FloatVector.zero(F);
        FloatVector t3 = FloatVector.zero(F);
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
                IntVector q1 = IntVector.fromMemorySegment(I, qw, o + 64, LE);
                IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 128, LE);
                IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 192, LE);
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
            float sx = sums[sumBase + g];
            t0 = applyGroup(m, g, r0, a0, sx, t0);
            t1 = applyGroup(m, g, r0 + 16, a1, sx, t1);
            t2 = applyGroup(m, g, r0 + 32, a2, sx, t2);
            t3 = applyGroup(m, g, r0 + 48, a3, sx, t3);
        }
        t0.intoArray(out, outBase + r0);
        t1.intoArray(out, outBase + r0 + 16);
        t2.intoArray(out, outBase + r0 + 32);
        t3.intoArray(out, outBase + r0 + 48);
    }

    private static void gptqActOrderBlock(GroupQuantizedMatrix m, float[] x, int xBase, float[] sums, int sumBase,
                                          int r0, float[] out, int outBase, float[] acc) {
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
            IntVector q1 = IntVector.fromMemorySegment(I, qw, o + 64, LE);
            IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 128, LE);
            IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 192, LE);
            for (int j = 0; j < pack; j++) {
                int c = p * pack + j;
                int a = m.groupOf(c) * GPTQ_BLOCK;
                FloatVector xa = FloatVector.broadcast(F, x[xBase + c]);
                int sh = bits * j;
                nib(q0, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
                nib(q1, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 16)).intoArray(acc, a + 16);
                nib(q2, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 32)).intoArray(acc, a + 32);
                nib(q3, sh, mask).fma(xa, FloatVector.fromArray(F, acc, a + 48)).intoArray(acc, a + 48);
            }
        }
        for (int v = 0; v < 4; v++) {
            FloatVector total = FloatVector.zero(F);
            for (int g = 0; g < groups; g++) {
                total = applyGroup(m, g, r0 + 16 * v, FloatVector.fromArray(F, acc, g * GPTQ_BLOCK + 16 * v),
                        sums[sumBase + g], total);
            }
            total.intoArray(out, outBase + r0 + 16 * v);
        }
    }

    /** {@code total + s·(acc − z·Σx)} for the sixteen GPTQ outputs from {@code r}. */
    private static FloatVector applyGroup(GroupQuantizedMatrix m, int g, int r, FloatVector acc, float sumX,
                                          FloatVector total) {
        long at = (long) g * m.rows() + r;
        FloatVector scale = halfFloats(m.scales(), at * 2);
        return acc.sub(gptqZeros(m, at).mul(sumX)).fma(scale, total);
    }

    /**
     * The zero points of the sixteen outputs from word-aligned position {@code at = g*rows + r}: the 16/pack words
     * that hold them, each spread over its pack of lanes and shifted into place.
     */
    private static FloatVector gptqZeros(GroupQuantizedMatrix m, long at) {
        int bits = m.bits();
        Spread s = switch (bits) {
            case 2 -> Spread.TWO;
            case 4 -> Spread.FOUR;
            default -> Spread.EIGHT;
        };
        IntVector words = IntVector.fromMemorySegment(I, m.qzeros(), at / (32 / bits) * 4, LE, s.words);
        IntVector z = words.rearrange(s.spread).lanewise(VectorOperators.LSHR, s.shifts).and((1 << bits) - 1);
        return floats(z.add(m.zeroOffset()));
    }

    /**
     * Whether {@code w} takes the 4-bit GPTQ path: consecutive groups that start on a packed word, so every
     * group is whole words of eight inputs.
     */
    private static boolean gptq4(GroupQuantWeight w) {
        GroupQuantizedMatrix m = w.matrix();
        return m.layout() == PackedLayout.GPTQ && m.bits() == 4 && w.consecutiveGroups() && m.groupSize() % 8 == 0;
    }

    /**
     * {@code 2^(−4j)}: undoes the place value of nibble {@code j} masked in place. The top nibble is shifted down
     * instead (masked in place it would be negative as an int), so it keeps its activation unscaled.
     */
    private static final float[] NIBBLE_SCALE = {1f, 0x1p-4f, 0x1p-8f, 0x1p-12f, 0x1p-16f, 0x1p-20f, 0x1p-24f, 1f};

    /**
     * {@code blocks} runs of sixty-four 4-bit GPTQ outputs from {@code r0}, group by group. {@code xs} is the activation row pre-scaled
     * by {@link #NIBBLE_SCALE} from {@code xBase}: {@code (q & 15<<4j)·x·2^(−4j)} is exactly {@code q_j·x}, so
     * the per-nibble shift is gone. The hot work lives in small methods whose vectors never cross a call, so
     * C2 compiles each whole (one large method ran past its inlining budget and boxed vectors).
     *
     * @return the sum of the ints read ahead ({@link ReadAhead#ahead}), for the caller to keep
     */
    private static int gptq4Blocks(GroupQuantizedMatrix m, float[] xs, int xBase, float[] sums, int sumBase, int g0,
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
            float sx = sums[sumBase + g];
            touched += gptq4RowSums(qw, (c0 / 8) * rowBytes + 4L * r0, rowBytes, (c1 - c0) / 8, xs, xBase + c0,
                    acc, n);
            for (int v = 0; v < n; v += LANES) {
                gptq4Apply(m, g, r0 + v, acc, v, sx, out, outBase + r0 + v);
            }
        }
        return touched;
    }

    /**
     * {@code acc[0..n) = Σ q·x} over {@code packs} packed rows for the {@code n} outputs at byte {@code o}, one packed
     * row at a time: each row's words are read front to back, so a group's stretch of the matrix streams from
     * memory in order, and each step reads one int a few lines further on ({@link ReadAhead#ahead}). Each lane
     * still adds its inputs in column order, as a register-only walk would.
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

    /** {@code out[o..o+15] += s·(acc − z·Σx)} for group {@code g} of the sixteen 4-bit GPTQ outputs from {@code r}. */
    private static void gptq4Apply(GroupQuantizedMatrix m, int g, int r, float[] acc, int accAt, float sumX,
                                   float[] out, int o) {
        long at = (long) g * m.rows() + r;
        MemorySegment qz = m.qzeros();
        long zAt = at / 8 * 4;
        IntVector words = IntVector.broadcast(I, qz.get(INT, zAt))
                .blend(IntVector.broadcast(I, qz.get(INT, zAt + 4)), SECOND_WORD);
        FloatVector z = floats(words.lanewise(VectorOperators.LSHR, ZERO_SHIFTS).and(15).add(m.zeroOffset()));
        FloatVector scale = halfFloats(m.scales(), at * 2);
        FloatVector.fromArray(F, acc, accAt).sub(z.mul(sumX)).fma(scale, FloatVector.fromArray(F, out, o))
                .intoArray(out, o);
    }

    /**
     * {@code blocks} runs of 128 AWQ outputs from {@code r0}, groups {@code [g0, g1)}: per group the eight nibble sums
     * of every word in the slice ({@link #awqRowSums}), then each run's zero points and scales
     * ({@link #awqScaleInSlots}), added up in the sums' own order; after the last group each run is put into output
     * order once ({@link #awqToOutputOrder}). {@code work} holds the sums of the slice.
     *
     * @return the sum of the ints read ahead ({@link ReadAhead}), for the caller to keep
     */
    private static int awqBlocks(GroupQuantWeight w, float[] x, int xBase, float[] sums, int sumBase, int g0,
                                 int g1, int r0, int blocks, float[] out, int outBase, float[] work) {
        GroupQuantizedMatrix m = w.matrix();
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
                awqScaleInSlots(m, w.awqSlotScales(), g, r, sums[sumBase + g], work, k * AWQ_BLOCK, out, outBase + r);
            }
        }
        for (int k = 0, r = r0; k < blocks; k++, r += AWQ_BLOCK) {
            awqToOutputOrder(out, outBase + r);
        }
        return touched;
    }

    /**
     * {@code acc[128b + 16j + l] = Σ q·x} for nibble {@code j} (masked in place, so still times 16^j) of word lane
     * {@code l} of run {@code b}, over {@code inputs} input rows of {@code n/8} words from byte {@code o}, in
     * {@link AwqRowOrder}: a group whose length is a multiple of eight in passes of eight rows {@code inputs/8}
     * apart ({@link #awqEightRows}), whose read streams carry on from pass to pass. Any other group (a whole-row
     * group over an odd width, a short last group) goes front to back, four rows per sweep over the sums; while a
     * sweep's rows are summed, the next four (of the {@code readable} rows from {@code o} that belong to the task)
     * are read ahead ({@link ReadAhead}): all of them where the sweep is narrow enough for that to pay, their first
     * lines where it is not.
     *
     * @return the sum of the ints read ahead
     */
    private static int awqRowSums(MemorySegment qw, long o, long rowBytes, int inputs, int readable, float[] x,
                                  int xc, float[] acc, int n) {
        java.util.Arrays.fill(acc, 0, n, 0f);
        int words = n / 8;
        int touched = 0;
        int stride = AwqRowOrder.stride(inputs);
        if (stride > 0) {
            // passes of eight rows `stride` apart, each of whose streams carries on at the next pass
            long passRowBytes = stride * rowBytes;
            for (int k = 0; k < stride; k++, o += rowBytes) {
                for (int v = 0; v < words; v += LANES) {
                    awqEightRows(qw, o + 4L * v, passRowBytes, x, xc + k, stride, acc, 8 * v, MASKED_NIBBLES);
                }
            }
            return touched;
        }
        int c = 0;
        int aheadLines = ReadAhead.linesPerRowAhead(n);
        int aheadEnd = 4 * aheadLines;
        for (; c + 3 < inputs; c += 4, o += 4 * rowBytes) {
            boolean readAhead = c + 8 <= readable;
            for (int v = 0, t = 0; v < words; v += LANES, t += 4) {
                awqFourRows(qw, o + 4L * v, rowBytes, x, xc + c, acc, 8 * v, MASKED_NIBBLES);
                if (readAhead && t < aheadEnd) {
                    touched += ReadAhead.lines(qw, o + 4 * rowBytes, rowBytes, aheadLines, t, 4);
                }
            }
        }
        // a group whose inputs are not a multiple of four (a whole-row group over an odd width) ends row by row
        for (; c < inputs; c++, o += rowBytes) {
            for (int v = 0; v < words; v += LANES) {
                awqOneRow(qw, o + 4L * v, x[xc + c], acc, 8 * v);
            }
        }
        return touched;
    }

    /**
     * Sixteen words of four consecutive input rows {@code x[xi..xi+3]} (each {@code rowBytes} after the last) into
     * the eight nibble sums at {@code acc[a..a+127]}: one sweep over the sums per four rows. Its own method with no
     * vector argument, so no vector crosses a call (a vector passed to a call C2 does not inline is boxed; an
     * eight-row version grew past C2's inlining budget and ran five times slower). The nibbles masked in place
     * come in as {@code masked}, always {@link #MASKED_NIBBLES}, so that the loop over them stays a loop.
     */
    private static void awqFourRows(MemorySegment qw, long o, long rowBytes, float[] x, int xi, float[] acc, int a,
                                    int masked) {
        IntVector q0 = IntVector.fromMemorySegment(I, qw, o, LE);
        IntVector q1 = IntVector.fromMemorySegment(I, qw, o + rowBytes, LE);
        IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 2 * rowBytes, LE);
        IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 3 * rowBytes, LE);
        FloatVector x0 = FloatVector.broadcast(F, x[xi]);
        FloatVector x1 = FloatVector.broadcast(F, x[xi + 1]);
        FloatVector x2 = FloatVector.broadcast(F, x[xi + 2]);
        FloatVector x3 = FloatVector.broadcast(F, x[xi + 3]);
        for (int j = 0; j < masked; j++) {
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

    /**
     * {@link #awqFourRows} for eight input rows, {@code rowBytes} apart in the matrix and {@code xs} apart in
     * {@code x} from {@code x[xi]}: one sweep over the sums per eight rows, for {@link AwqRowOrder}'s passes. Eight
     * rows also halve the traffic to the sums, which for a 5632-output FFN matrix (22 KiB) do not stay in L1 beside
     * the rows streaming past them: in row order, eight rows per sweep made a 5632×2048 product 1.08–1.11x faster
     * from memory than four (same JVM, alternating, Zen 4: 390 → 358 µs at two threads, 782 → 712 at one).
     *
     * <p>The lane conversions are written out instead of going through {@link #floats}: with eight rows the method
     * reaches C2's node budget for inlining, and a helper it then leaves as a call boxes every vector that passes
     * through it (the Vector API's own methods are forced inline past that budget; ours are not).
     */
    private static void awqEightRows(MemorySegment qw, long o, long rowBytes, float[] x, int xi, int xs, float[] acc,
                                     int a, int masked) {
        IntVector q0 = IntVector.fromMemorySegment(I, qw, o, LE);
        IntVector q1 = IntVector.fromMemorySegment(I, qw, o + rowBytes, LE);
        IntVector q2 = IntVector.fromMemorySegment(I, qw, o + 2 * rowBytes, LE);
        IntVector q3 = IntVector.fromMemorySegment(I, qw, o + 3 * rowBytes, LE);
        IntVector q4 = IntVector.fromMemorySegment(I, qw, o + 4 * rowBytes, LE);
        IntVector q5 = IntVector.fromMemorySegment(I, qw, o + 5 * rowBytes, LE);
        IntVector q6 = IntVector.fromMemorySegment(I, qw, o + 6 * rowBytes, LE);
        IntVector q7 = IntVector.fromMemorySegment(I, qw, o + 7 * rowBytes, LE);
        FloatVector x0 = FloatVector.broadcast(F, x[xi]);
        FloatVector x1 = FloatVector.broadcast(F, x[xi + xs]);
        FloatVector x2 = FloatVector.broadcast(F, x[xi + 2 * xs]);
        FloatVector x3 = FloatVector.broadcast(F, x[xi + 3 * xs]);
        FloatVector x4 = FloatVector.broadcast(F, x[xi + 4 * xs]);
        FloatVector x5 = FloatVector.broadcast(F, x[xi + 5 * xs]);
        FloatVector x6 = FloatVector.broadcast(F, x[xi + 6 * xs]);
        FloatVector x7 = FloatVector.broadcast(F, x[xi + 7 * xs]);
        VectorOperators.Conversion<Integer, Float> toFloat = VectorOperators.I2F;
        for (int j = 0; j < masked; j++) {
            int mask = 0xF << (4 * j);
            int at = a + 16 * j;
            FloatVector s = ((FloatVector) q0.and(mask).convert(toFloat, 0)).fma(x0, FloatVector.fromArray(F, acc, at));
            s = ((FloatVector) q1.and(mask).convert(toFloat, 0)).fma(x1, s);
            s = ((FloatVector) q2.and(mask).convert(toFloat, 0)).fma(x2, s);
            s = ((FloatVector) q3.and(mask).convert(toFloat, 0)).fma(x3, s);
            s = ((FloatVector) q4.and(mask).convert(toFloat, 0)).fma(x4, s);
            s = ((FloatVector) q5.and(mask).convert(toFloat, 0)).fma(x5, s);
            s = ((FloatVector) q6.and(mask).convert(toFloat, 0)).fma(x6, s);
            ((FloatVector) q7.and(mask).convert(toFloat, 0)).fma(x7, s).intoArray(acc, at);
        }
        int top = a + 112;
        FloatVector s = ((FloatVector) q0.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0))
                .fma(x0, FloatVector.fromArray(F, acc, top));
        s = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0)).fma(x1, s);
        s = ((FloatVector) q2.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0)).fma(x2, s);
        s = ((FloatVector) q3.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0)).fma(x3, s);
        s = ((FloatVector) q4.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0)).fma(x4, s);
        s = ((FloatVector) q5.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0)).fma(x5, s);
        s = ((FloatVector) q6.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0)).fma(x6, s);
        ((FloatVector) q7.lanewise(VectorOperators.LSHR, 28).convert(toFloat, 0)).fma(x7, s).intoArray(acc, top);
    }

    /** {@link #awqFourRows} for a single input row. */
    private static void awqOneRow(MemorySegment qw, long o, float x0, float[] acc, int a) {
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
     * Nibbles of an AWQ word that the one-token sweep masks in place: all but the top one, which is shifted down.
     * {@link #awqFourRows} takes the count as an argument rather than as a constant because with a constant trip
     * count C2 unrolls the loop fully, hoists all 28 masked and converted vectors ahead of their multiply-adds and
     * spills them past the 32 registers. Kept a loop, the one-token AWQ products ran 1.02–1.17x faster (same JVM,
     * alternating; Zen 4: 2048×2048 one thread from L3 190 µs against 222, 2048×5632 two threads from memory 320
     * against 355). The eight-lane twin in {@link GroupQuant256} measured 1.03–1.19x slower the same way here, so
     * it keeps its constant.
     */
    static final int MASKED_NIBBLES = 7;

    /**
     * {@code 16^−j}: takes the place value out of nibble {@code j}'s sum (exact); the top nibble was shifted down.
     * {@link GroupQuant256}'s AWQ loops use it too.
     */
    static final float[] AWQ_PLACE = {1f, 0x1p-4f, 0x1p-8f, 0x1p-12f, 0x1p-16f, 0x1p-20f, 0x1p-24f, 1f};

    /**
     * {@code out[o + 16i + l] += s·(acc − z·Σx)} for group {@code g} of the 128 AWQ outputs from {@code r0}, in the
     * order the sums come in: nibble {@code j}'s sums (times {@link #AWQ_PLACE}) go to vector {@code i = order[j]},
     * whose lane {@code l} is output {@code r0 + 8l + i}, scaled by {@link AwqSlotScales}' copy, which lies in that
     * order, and each run is reordered once after its last group ({@link #awqToOutputOrder}) instead of once per
     * group. On its own (same JVM, alternating, Zen 4) that made 2048×2048 from
     * L3 on one thread 1.05–1.10x faster and the FFN products from memory on two 1.02–1.05x, and batch-1 decode of
     * a 1.1B-shaped AWQ model 1.02x (1.016–1.04 over 7 lockstep rounds).
     */
    private static void awqScaleInSlots(GroupQuantizedMatrix m, MemorySegment slotScales, int g, int r0, float sumX,
                                        float[] work, int accAt, float[] out, int o) {
        long wordsPerRow = m.rows() / 8;
        IntVector zq = IntVector.fromMemorySegment(I, m.qzeros(), ((long) g * wordsPerRow + r0 / 8) * 4, LE);
        int offset = m.zeroOffset();
        long scalesAt = AwqSlotScales.offset(m.rows(), g, r0 / AWQ_BLOCK);
        for (int j = 0; j < 8; j++) {
            FloatVector z = floats(zq.lanewise(VectorOperators.LSHR, 4 * j).and(15).add(offset));
            int slot = LANES * PackedLayout.awqOutputOf(j);
            FloatVector v = FloatVector.fromArray(F, work, accAt + LANES * j).mul(AWQ_PLACE[j]).sub(z.mul(sumX));
            halfFloats(slotScales, scalesAt + 2L * slot).fma(v, FloatVector.fromArray(F, out, o + slot))
                    .intoArray(out, o + slot);
        }
    }

    /**
     * Puts the 128 values at {@code a[at..at+127]}, vector {@code i} lane {@code l} holding output {@code 8l + i},
     * into output order in place: {@link AwqOrder}'s three rounds of two-vector selects.
     */
    private static void awqToOutputOrder(float[] a, int at) {
        for (int round = 0; round < AwqOrder.ROUNDS - 1; round++) {
            int bit = 1 << round;
            for (int v = 0; v < 8; v++) {
                if ((v & bit) == 0) {
                    awqSelectPair(a, at + LANES * v, at + LANES * (v | bit), round, v);
                }
            }
        }
        int last = AwqOrder.ROUNDS - 1;
        for (int v = 0; v < 4; v++) {
            int lo = at + LANES * v;
            int hi = lo + 4 * LANES;
            FloatVector x = FloatVector.fromArray(F, a, lo);
            FloatVector y = FloatVector.fromArray(F, a, hi);
            AwqOrder.select(last, v).selectFrom(x, y).intoArray(a, lo);
            AwqOrder.select(last, v + 4).selectFrom(x, y).intoArray(a, hi);
        }
    }

    /** One round of {@link AwqOrder} on the vector pair at {@code work[lo]} and {@code work[hi]}, in place. */
    private static void awqSelectPair(float[] work, int lo, int hi, int round, int v) {
        FloatVector a = FloatVector.fromArray(F, work, lo);
        FloatVector b = FloatVector.fromArray(F, work, hi);
        AwqOrder.select(round, v).selectFrom(a, b).intoArray(work, lo);
        AwqOrder.select(round, v | (1 << round)).selectFrom(a, b).intoArray(work, hi);
    }

    private static void scalarRows(GroupQuantizedMatrix m, int from, int to, float[] x, int xBase, float[] out,
                                   int outBase) {
        for (int r = from; r < to; r++) {
            float sum = 0f;
            for (int c = 0; c < m.cols(); c++) {
                sum += m.dequantize(r, c) * x[xBase + c];
            }
            out[outBase + r] = sum;
        }
    }

    private static FloatVector nib(IntVector q, int shift, int mask) {
        return floats(q.lanewise(VectorOperators.LSHR, shift).and(mask));
    }

    private static FloatVector floats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    /** Sixteen F16 values as floats: exponent and mantissa moved into place, re-biased by 2^112 (subnormals included). */
    private static FloatVector halfFloats(MemorySegment s, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, s, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f);
    }

    /** How sixteen GPTQ zero points unfold from the 16/pack words that hold them. */
    private enum Spread {
        TWO(2), FOUR(4), EIGHT(8);

        final VectorMask<Integer> words;
        final VectorShuffle<Integer> spread;
        final IntVector shifts;

        Spread(int bits) {
            int pack = 32 / bits;
            words = VectorMask.fromLong(I, (1L << (LANES / pack)) - 1);
            int[] lanes = new int[LANES];
            int[] shiftBy = new int[LANES];
            for (int l = 0; l < LANES; l++) {
                lanes[l] = l / pack;
                shiftBy[l] = bits * (l % pack);
            }
            spread = VectorShuffle.fromArray(I, lanes, 0);
            shifts = IntVector.fromArray(I, shiftBy, 0);
        }
    }
}
