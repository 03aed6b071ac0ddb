package dev.infer4j.kernels.cpu;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.quant.Dequantize;
import dev.infer4j.kernels.ActivationBuffer;
import dev.infer4j.kernels.Attention;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.KvBatch;
import dev.infer4j.kernels.KvLayout;
import dev.infer4j.kernels.KvStorage;
import dev.infer4j.kernels.Rope;
import dev.infer4j.kernels.Weight;
import dev.infer4j.kernels.cpu.int4.GroupQuantMatmul;
import dev.infer4j.kernels.cpu.int4.GroupQuantWeight;
import dev.infer4j.kernels.cpu.matmul.Matmul;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The CPU backend: heap activations, weights read in place, Vector API loops.
 *
 * <p>Every operation big enough to pay for the hand-off runs on the one {@link WorkerPool} owned by this backend:
 * matrix products on {@link Matmul} kernels, attention split by (token, query head) in {@link PagedAttention}, the
 * row-wise operations by rows in {@link RowKernels}. Each output element is computed by one worker in a fixed
 * order, so results do not depend on the number of threads. Scratch space grows to the largest shape seen and is then reused, so steady decoding allocates nothing.
 * Not thread-safe: one step loop drives it.
 */
public final class CpuKernels implements Kernels {
    private final WorkerPool pool;
    private final Map<GgmlType, Matmul> matmuls = new EnumMap<>(GgmlType.class);
    private final PagedAttention attention;
    private final RowKernels rows;
    private final VectorWidth width;
    private GroupQuantMatmul groupQuantMatmul;

    /**
     * A CPU backend.
     *
     * @param threads worker threads, or 0 for one per available core
     */
    public CpuKernels(int threads) {
        this(threads, VectorWidth.detected());
    }

    /**
     * A CPU backend whose matmuls use {@code width}'s kernels, whatever this CPU prefers: for tests and benchmarks
     * that compare the two (both give the same bits; the width the CPU does not compile to registers is slow).
     *
     * @param threads worker threads, or 0 for one per available core
     */
    public CpuKernels(int threads, VectorWidth width) {
        this.width = Objects.requireNonNull(width, "width");
        if (threads < 0) {
            throw new IllegalArgumentException("threads must not be negative, got " + threads);
        }
        pool = threads == 0 ? WorkerPool.ofAvailableCores() : new WorkerPool(threads);
        attention = new PagedAttention(pool);
        rows = new RowKernels(pool);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean canMultiply(GgmlType type) {
        return matmul(type) != null;
    }

    @Override
    public boolean canEmbed(GgmlType type) {
        return Dequantize.supports(type);
    }

    /** The kernel for {@code type}, made on first use; {@code null} when there is none. */
    private Matmul matmul(GgmlType type) {
        Matmul m = matmuls.get(type);
        if (m == null && !matmuls.containsKey(type)) {
            try {
                m = Matmul.of(type, pool, width);
            } catch (IllegalArgumentException e) {
                m = null;
            }
            matmuls.put(type, m);
        }
        return m;
    }

    @Override
    public Weight weight(String name, GgmlType type, MemorySegment data, int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException(name + ": shape must be positive, got " + rows + "x" + cols);
        }
        long expected = (long) rows * type.bytesFor(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(name + ": " + rows + "x" + cols + " " + type + " needs " + expected
                    + " bytes, got " + data.byteSize());
        }
        return new MappedWeight(name, type, data, rows, cols);
    }

    @Override
    public boolean canMultiply(GroupQuantizedMatrix matrix) {
        return GroupQuantMatmul.supports(matrix);
    }

    @Override
    public Weight weight(GroupQuantizedMatrix matrix) {
        if (!GroupQuantMatmul.supports(matrix)) {
            throw new IllegalArgumentException("no matmul kernel for " + matrix.bits() + "-bit " + matrix.layout()
                    + " weights (" + matrix.name() + ")");
        }
        return GroupQuantWeight.of(matrix);
    }

    @Override
    public ActivationBuffer allocate(int floats) {
        return new HeapBuffer(floats);
    }

    @Override
    public KvStorage allocateKv(KvLayout layout) {
        return new HeapKvStorage(layout);
    }

    @Override
    public void upload(float[] src, int srcOffset, ActivationBuffer dst, int dstOffset, int count) {
        System.arraycopy(src, srcOffset, array(dst), dstOffset, count);
    }

    @Override
    public void download(ActivationBuffer src, int srcOffset, float[] dst, int dstOffset, int count) {
        System.arraycopy(array(src), srcOffset, dst, dstOffset, count);
    }

    @Override
    public void fill(ActivationBuffer x, float value, int count) {
        Arrays.fill(array(x), 0, count, value);
    }

    @Override
    public void gatherRows(ActivationBuffer src, int[] rows, int count, int width, ActivationBuffer dst) {
        float[] s = array(src);
        float[] d = array(dst);
        for (int i = 0; i < count; i++) {
            System.arraycopy(s, rows[i] * width, d, i * width, width);
        }
    }

    @Override
    public void scatterAddRows(ActivationBuffer src, int[] rows, float[] scales, int count, int width,
                               ActivationBuffer dst) {
        float[] s = array(src);
        float[] d = array(dst);
        for (int i = 0; i < count; i++) {
            FloatDot.addScaled(d, rows[i] * width, scales[i], s, i * width, width);
        }
    }

    @Override
    public void embed(Weight table, int[] tokens, int count, ActivationBuffer out) {
        rows.embed(mapped(table), tokens, count, array(out));
    }

    @Override
    public void matmul(Weight w, ActivationBuffer x, ActivationBuffer out, int tokens) {
        if (w instanceof GroupQuantWeight g) {
            if (groupQuantMatmul == null) {
                groupQuantMatmul = new GroupQuantMatmul(pool, width);
            }
            groupQuantMatmul.multiply(g, array(x), 0, g.cols(), tokens, array(out), 0, g.rows());
            return;
        }
        MappedWeight m = mapped(w);
        Matmul kernel = matmul(m.type());
        if (kernel == null) {
            throw new IllegalArgumentException("no matmul kernel for " + m.name() + " (" + m.type() + ")");
        }
        kernel.multiply(m.data(), m.rows(), m.cols(), array(x), 0, m.cols(), tokens, array(out), 0, m.rows());
    }

    @Override
    public void rmsNorm(ActivationBuffer x, Weight gamma, ActivationBuffer out, int rows, float eps) {
        this.rows.rmsNorm(array(x), vector(gamma), array(out), rows, eps);
    }

    @Override
    public void addBias(ActivationBuffer x, Weight bias, int rows) {
        this.rows.addBias(array(x), vector(bias), rows);
    }

    @Override
    public void add(ActivationBuffer a, ActivationBuffer b, ActivationBuffer out, int count) {
        rows.add(array(a), array(b), array(out), count);
    }

    @Override
    public void scale(ActivationBuffer x, float factor, int count) {
        rows.scale(array(x), factor, count);
    }

    @Override
    public void softCap(ActivationBuffer x, float cap, int count) {
        rows.softCap(array(x), cap, count);
    }

    @Override
    public void softmax(ActivationBuffer x, int rows, int width) {
        this.rows.softmax(array(x), rows, width);
    }

    @Override
    public void rope(ActivationBuffer x, int tokens, int heads, int headLength, int[] positions, Rope rope) {
        rows.rope(array(x), tokens, heads, headLength, positions, rope);
    }

    @Override
    public void storeKv(KvStorage kv, ActivationBuffer k, ActivationBuffer v, KvBatch batch) {
        rows.storeKv(heap(kv), array(k), array(v), batch);
    }

    @Override
    public void attention(ActivationBuffer q, KvStorage kv, ActivationBuffer out, KvBatch batch, Attention params) {
        attention.run(array(q), heap(kv), array(out), batch, params);
    }

    @Override
    public void swiglu(ActivationBuffer gate, ActivationBuffer up, ActivationBuffer out, int count) {
        rows.swiglu(array(gate), array(up), array(out), count);
    }

    @Override
    public void geglu(ActivationBuffer gate, ActivationBuffer up, ActivationBuffer out, int count) {
        rows.geglu(array(gate), array(up), array(out), count);
    }

    @Override
    public void sigmoidGate(ActivationBuffer gate, ActivationBuffer x, int rows, int width) {
        this.rows.sigmoidGate(array(gate), array(x), rows, width);
    }

    @Override
    public void topK(ActivationBuffer x, int rows, int width, int k, int[] ids, float[] values) {
        if (k > width) {
            throw new IllegalArgumentException("cannot pick " + k + " of " + width + " values");
        }
        float[] a = array(x);
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            for (int j = 0; j < k; j++) {
                int best = -1;
                for (int i = 0; i < width; i++) {
                    if (isPicked(ids, r * k, j, i)) {
                        continue;
                    }
                    if (best < 0 || a[base + i] > a[base + best]) {
                        best = i;
                    }
                }
                ids[r * k + j] = best;
                values[r * k + j] = a[base + best];
            }
        }
    }

    private static boolean isPicked(int[] ids, int from, int count, int id) {
        for (int j = 0; j < count; j++) {
            if (ids[from + j] == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        pool.close();
    }

    private static float[] array(ActivationBuffer b) {
        if (b instanceof HeapBuffer h) {
            return h.array;
        }
        throw new IllegalArgumentException("not a CPU buffer: " + b);
    }

    private static MappedWeight mapped(Weight w) {
        if (w instanceof MappedWeight m) {
            return m;
        }
        throw new IllegalArgumentException("not a CPU weight: " + w.name());
    }

    private static MappedWeight vector(Weight w) {
        MappedWeight m = mapped(w);
        if (m.type() != GgmlType.F32 || m.rows() != 1) {
            throw new IllegalArgumentException(m.name() + " must be an F32 vector, is " + m.rows() + "x" + m.cols() + " " + m.type());
        }
        return m;
    }

    private static HeapKvStorage heap(KvStorage kv) {
        if (kv instanceof HeapKvStorage h) {
            return h;
        }
        throw new IllegalArgumentException("not a CPU KV storage: " + kv);
    }
}
