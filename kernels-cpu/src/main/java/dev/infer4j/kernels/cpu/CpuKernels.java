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
import dev.infer4j.kernels.RopeStyle;
import dev.infer4j.kernels.Weight;
import dev.infer4j.kernels.cpu.int4.GroupQuantMatmul;
import dev.infer4j.kernels.cpu.int4.GroupQuantWeight;
import dev.infer4j.kernels.cpu.matmul.Matmul;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * The CPU backend: heap activations, weights read in place, Vector API loops.
 *
 * <p>Matrix products run on {@link Matmul} kernels over one {@link WorkerPool} owned by this backend; the other
 * operations are cheap next to them and run on the caller's thread. Scratch space grows to the largest shape seen and is then reused, so steady decoding allocates nothing.
 * Not thread-safe: one step loop drives it.
 */
public final class CpuKernels implements Kernels {
    private final WorkerPool pool;
    private final Map<GgmlType, Matmul> matmuls = new EnumMap<>(GgmlType.class);
    private final PagedAttention attention = new PagedAttention();
    private GroupQuantMatmul groupQuantMatmul;
    private float[] angles = new float[0];

    /**
     * A CPU backend.
     *
     * @param threads worker threads, or 0 for one per available core
     */
    public CpuKernels(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must not be negative, got " + threads);
        }
        pool = threads == 0 ? WorkerPool.ofAvailableCores() : new WorkerPool(threads);
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
                m = Matmul.of(type, pool);
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
        MappedWeight t = mapped(table);
        float[] o = array(out);
        for (int i = 0; i < count; i++) {
            int token = tokens[i];
            if (token < 0 || token >= t.rows()) {
                throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + t.rows());
            }
            Dequantize.row(t.type(), t.data(), token * t.rowBytes(), o, i * t.cols(), t.cols());
        }
    }

    @Override
    public void matmul(Weight w, ActivationBuffer x, ActivationBuffer out, int tokens) {
        if (w instanceof GroupQuantWeight g) {
            if (groupQuantMatmul == null) {
                groupQuantMatmul = new GroupQuantMatmul(pool);
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
        MappedWeight g = vector(gamma);
        float[] in = array(x);
        float[] o = array(out);
        int width = g.cols();
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            double sum = 0;
            for (int i = 0; i < width; i++) {
                float v = in[base + i];
                sum += v * v;
            }
            float mean = (float) (sum / width);
            float scale = 1.0f / (float) Math.sqrt(mean + eps);
            for (int i = 0; i < width; i++) {
                o[base + i] = (in[base + i] * scale) * g.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            }
        }
    }

    @Override
    public void addBias(ActivationBuffer x, Weight bias, int rows) {
        MappedWeight b = vector(bias);
        float[] a = array(x);
        int width = b.cols();
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < width; i++) {
                a[r * width + i] += b.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            }
        }
    }

    @Override
    public void add(ActivationBuffer a, ActivationBuffer b, ActivationBuffer out, int count) {
        float[] x = array(a);
        float[] y = array(b);
        float[] o = array(out);
        for (int i = 0; i < count; i++) {
            o[i] = x[i] + y[i];
        }
    }

    @Override
    public void scale(ActivationBuffer x, float factor, int count) {
        float[] a = array(x);
        for (int i = 0; i < count; i++) {
            a[i] *= factor;
        }
    }

    @Override
    public void softCap(ActivationBuffer x, float cap, int count) {
        float[] a = array(x);
        float inverse = 1.0f / cap;
        for (int i = 0; i < count; i++) {
            a[i] = cap * (float) Math.tanh(a[i] * inverse);
        }
    }

    @Override
    public void softmax(ActivationBuffer x, int rows, int width) {
        float[] a = array(x);
        for (int r = 0; r < rows; r++) {
            int base = r * width;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < width; i++) {
                max = Math.max(max, a[base + i]);
            }
            double sum = 0;
            for (int i = 0; i < width; i++) {
                float e = (float) Math.exp(a[base + i] - max);
                a[base + i] = e;
                sum += e;
            }
            float inverse = (float) (1.0 / sum);
            for (int i = 0; i < width; i++) {
                a[base + i] *= inverse;
            }
        }
    }

    @Override
    public void rope(ActivationBuffer x, int tokens, int heads, int headLength, int[] positions, Rope rope) {
        float[] a = array(x);
        int dims = rope.dims();
        if (dims > headLength) {
            throw new IllegalArgumentException("rope rotates " + dims + " values but heads have " + headLength);
        }
        if (angles.length < dims) {
            angles = new float[dims];
        }
        int half = dims / 2;
        for (int t = 0; t < tokens; t++) {
            RopeAngles.compute(rope, positions[t], angles);
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headLength;
                for (int i0 = 0; i0 < dims; i0 += 2) {
                    float cos = angles[i0];
                    float sin = angles[i0 + 1];
                    int first = rope.style() == RopeStyle.NORMAL ? base + i0 : base + i0 / 2;
                    int second = rope.style() == RopeStyle.NORMAL ? first + 1 : first + half;
                    float x0 = a[first];
                    float x1 = a[second];
                    a[first] = x0 * cos - x1 * sin;
                    a[second] = x0 * sin + x1 * cos;
                }
            }
        }
    }

    @Override
    public void storeKv(KvStorage kv, ActivationBuffer k, ActivationBuffer v, KvBatch batch) {
        HeapKvStorage storage = heap(kv);
        KvLayout layout = storage.layout();
        int keyWidth = layout.kvHeads() * layout.keyLength();
        int valueWidth = layout.kvHeads() * layout.valueLength();
        float[] keys = array(k);
        float[] values = array(v);
        for (int t = 0; t < batch.tokens(); t++) {
            int slot = batch.slot(t);
            if (slot < 0 || slot >= layout.slots()) {
                throw new IllegalArgumentException("cache slot " + slot + " is outside the " + layout.slots() + " slots");
            }
            if (storage.half()) {
                for (int i = 0; i < keyWidth; i++) {
                    storage.keyHalves[slot * keyWidth + i] = Float.floatToFloat16(keys[t * keyWidth + i]);
                }
                for (int i = 0; i < valueWidth; i++) {
                    storage.valueHalves[slot * valueWidth + i] = Float.floatToFloat16(values[t * valueWidth + i]);
                }
            } else {
                System.arraycopy(keys, t * keyWidth, storage.keyFloats, slot * keyWidth, keyWidth);
                System.arraycopy(values, t * valueWidth, storage.valueFloats, slot * valueWidth, valueWidth);
            }
        }
    }

    @Override
    public void attention(ActivationBuffer q, KvStorage kv, ActivationBuffer out, KvBatch batch, Attention params) {
        attention.run(array(q), heap(kv), array(out), batch, params);
    }

    @Override
    public void swiglu(ActivationBuffer gate, ActivationBuffer up, ActivationBuffer out, int count) {
        float[] g = array(gate);
        float[] u = array(up);
        float[] o = array(out);
        for (int i = 0; i < count; i++) {
            float x = g[i];
            o[i] = x / (1.0f + (float) Math.exp(-x)) * u[i];
        }
    }

    @Override
    public void geglu(ActivationBuffer gate, ActivationBuffer up, ActivationBuffer out, int count) {
        float[] g = array(gate);
        float[] u = array(up);
        float[] o = array(out);
        for (int i = 0; i < count; i++) {
            o[i] = GeluTable.gelu(g[i]) * u[i];
        }
    }

    @Override
    public void sigmoidGate(ActivationBuffer gate, ActivationBuffer x, int rows, int width) {
        float[] g = array(gate);
        float[] a = array(x);
        for (int r = 0; r < rows; r++) {
            // llama.cpp forms the shared-expert gate as silu(g) / g; the same expression keeps its rounding
            float v = g[r];
            float sigmoid = (v / (1.0f + (float) Math.exp(-v))) / v;
            for (int i = 0; i < width; i++) {
                a[r * width + i] *= sigmoid;
            }
        }
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
