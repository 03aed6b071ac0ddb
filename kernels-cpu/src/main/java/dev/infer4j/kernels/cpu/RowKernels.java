package dev.infer4j.kernels.cpu;

import dev.infer4j.formats.quant.Dequantize;
import dev.infer4j.kernels.KvBatch;
import dev.infer4j.kernels.KvLayout;
import dev.infer4j.kernels.Rope;
import dev.infer4j.kernels.RopeStyle;
import dev.infer4j.kernels.cpu.parallel.RangeTask;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The row-wise and element-wise operations (embedding, RMSNorm, RoPE, activations, K/V stores, ...) split across
 * the worker pool.
 *
 * <p>Every output element depends only on its own row, so each is computed by exactly one worker with the same
 * arithmetic in the same order whatever the split: results are bit-identical to a single-threaded run. Work is cut
 * into tasks of about {@link #GRAIN} elements; an operation smaller than that runs on the calling thread.
 *
 * <p>The tasks are bound once and read their arguments from fields the calling thread sets before handing the work
 * out, so a call allocates nothing. Driven by one thread at a time.
 */
final class RowKernels {
    /** Elements per task: below this the hand-off to another core costs more than the work. */
    private static final int GRAIN = 16384;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private final WorkerPool pool;
    private final float[][] angles;

    private final RangeTask embedTask = this::embedRange;
    private final RangeTask rmsNormTask = this::rmsNormRange;
    private final RangeTask addBiasTask = this::addBiasRange;
    private final RangeTask addTask = this::addRange;
    private final RangeTask scaleTask = this::scaleRange;
    private final RangeTask softCapTask = this::softCapRange;
    private final RangeTask softmaxTask = this::softmaxRange;
    private final RangeTask ropeTask = this::ropeRange;
    private final RangeTask storeKvTask = this::storeKvRange;
    private final RangeTask swigluTask = this::swigluRange;
    private final RangeTask gegluTask = this::gegluRange;
    private final RangeTask sigmoidGateTask = this::sigmoidGateRange;

    // The operation in flight: written by the calling thread before parallelFor hands the work out.
    private int units;
    private int unitsPerTask;
    private int width;
    private float[] a;
    private float[] b;
    private float[] o;
    private float value;
    private MappedWeight weight;
    private int[] ints;
    private Rope rope;
    private int heads;
    private HeapKvStorage kv;
    private KvBatch kvBatch;

    RowKernels(WorkerPool pool) {
        this.pool = pool;
        this.angles = new float[pool.threads()][0];
    }

    /** Runs {@code task} over {@code units} units of {@code unitWidth} elements each. */
    private void split(int units, int unitWidth, RangeTask task) {
        this.units = units;
        this.unitsPerTask = Math.max(1, GRAIN / Math.max(1, unitWidth));
        try {
            pool.parallelFor((units + unitsPerTask - 1) / unitsPerTask, task);
        } finally {
            a = null;
            b = null;
            o = null;
            weight = null;
            ints = null;
            rope = null;
            kv = null;
            kvBatch = null;
        }
    }

    private int first(int task) {
        return task * unitsPerTask;
    }

    private int end(int task) {
        return Math.min(units, task * unitsPerTask);
    }

    void embed(MappedWeight table, int[] tokens, int count, float[] out) {
        for (int i = 0; i < count; i++) {
            if (tokens[i] < 0 || tokens[i] >= table.rows()) {
                throw new IllegalArgumentException("token id " + tokens[i] + " is outside the vocabulary of " + table.rows());
            }
        }
        weight = table;
        ints = tokens;
        o = out;
        split(count, table.cols(), embedTask);
    }

    private void embedRange(int start, int end, int worker) {
        MappedWeight t = weight;
        for (int i = first(start); i < end(end); i++) {
            Dequantize.row(t.type(), t.data(), ints[i] * t.rowBytes(), o, i * t.cols(), t.cols());
        }
    }

    void rmsNorm(float[] x, MappedWeight gamma, float[] out, int rows, float eps) {
        a = x;
        weight = gamma;
        o = out;
        value = eps;
        width = gamma.cols();
        split(rows, width, rmsNormTask);
    }

    private void rmsNormRange(int start, int end, int worker) {
        MemorySegment g = weight.data();
        for (int r = first(start); r < end(end); r++) {
            int base = r * width;
            double sum = 0;
            for (int i = 0; i < width; i++) {
                float v = a[base + i];
                sum += v * v;
            }
            float mean = (float) (sum / width);
            float scale = 1.0f / (float) Math.sqrt(mean + value);
            int i = 0;
            for (; i <= width - S.length(); i += S.length()) {
                FloatVector.fromArray(S, a, base + i).mul(scale)
                        .mul(FloatVector.fromMemorySegment(S, g, (long) i * Float.BYTES, ByteOrder.LITTLE_ENDIAN))
                        .intoArray(o, base + i);
            }
            for (; i < width; i++) {
                o[base + i] = (a[base + i] * scale) * g.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            }
        }
    }

    void addBias(float[] x, MappedWeight bias, int rows) {
        a = x;
        weight = bias;
        width = bias.cols();
        split(rows, width, addBiasTask);
    }

    private void addBiasRange(int start, int end, int worker) {
        MemorySegment bias = weight.data();
        for (int r = first(start); r < end(end); r++) {
            for (int i = 0; i < width; i++) {
                a[r * width + i] += bias.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            }
        }
    }

    void add(float[] x, float[] y, float[] out, int count) {
        a = x;
        b = y;
        o = out;
        split(count, 1, addTask);
    }

    private void addRange(int start, int end, int worker) {
        for (int i = first(start); i < end(end); i++) {
            o[i] = a[i] + b[i];
        }
    }

    void scale(float[] x, float factor, int count) {
        a = x;
        value = factor;
        split(count, 1, scaleTask);
    }

    private void scaleRange(int start, int end, int worker) {
        for (int i = first(start); i < end(end); i++) {
            a[i] *= value;
        }
    }

    void softCap(float[] x, float cap, int count) {
        a = x;
        value = cap;
        split(count, 1, softCapTask);
    }

    private void softCapRange(int start, int end, int worker) {
        float cap = value;
        float inverse = 1.0f / cap;
        for (int i = first(start); i < end(end); i++) {
            a[i] = cap * (float) StrictMath.tanh(a[i] * inverse);
        }
    }

    void softmax(float[] x, int rows, int rowWidth) {
        a = x;
        width = rowWidth;
        split(rows, rowWidth, softmaxTask);
    }

    private void softmaxRange(int start, int end, int worker) {
        for (int r = first(start); r < end(end); r++) {
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

    /** Rotates each (token, head) pair; a worker computes a token's angles once for its consecutive heads. */
    void rope(float[] x, int tokens, int headCount, int headLength, int[] positions, Rope r) {
        if (r.dims() > headLength) {
            throw new IllegalArgumentException("rope rotates " + r.dims() + " values but heads have " + headLength);
        }
        for (int w = 0; w < angles.length; w++) {
            if (angles[w].length < r.dims()) {
                angles[w] = new float[r.dims()];
            }
        }
        a = x;
        heads = headCount;
        width = headLength;
        ints = positions;
        rope = r;
        split(tokens * headCount, headLength, ropeTask);
    }

    private void ropeRange(int start, int end, int worker) {
        float[] cache = angles[worker];
        int dims = rope.dims();
        int half = dims / 2;
        boolean normal = rope.style() == RopeStyle.NORMAL;
        int cachedToken = -1;
        for (int pair = first(start); pair < end(end); pair++) {
            int t = pair / heads;
            if (t != cachedToken) {
                RopeAngles.compute(rope, ints[t], cache);
                cachedToken = t;
            }
            int base = pair * width;
            for (int i0 = 0; i0 < dims; i0 += 2) {
                float cos = cache[i0];
                float sin = cache[i0 + 1];
                int firstIndex = normal ? base + i0 : base + i0 / 2;
                int secondIndex = normal ? firstIndex + 1 : firstIndex + half;
                float x0 = a[firstIndex];
                float x1 = a[secondIndex];
                // ggml's x0·cos − x1·sin and x0·sin + x1·cos as its compiler fuses them: the first product of each
                // rounded only inside a fused multiply-add (bit for bit its rotated keys and queries)
                a[firstIndex] = Math.fma(x0, cos, -(x1 * sin));
                a[secondIndex] = Math.fma(x0, sin, x1 * cos);
            }
        }
    }

    void storeKv(HeapKvStorage storage, float[] keys, float[] values, KvBatch batch) {
        KvLayout layout = storage.layout();
        for (int t = 0; t < batch.tokens(); t++) {
            int slot = batch.slot(t);
            if (slot < 0 || slot >= layout.slots()) {
                throw new IllegalArgumentException("cache slot " + slot + " is outside the " + layout.slots() + " slots");
            }
        }
        kv = storage;
        a = keys;
        b = values;
        kvBatch = batch;
        split(batch.tokens(), layout.kvHeads() * (layout.keyLength() + layout.valueLength()), storeKvTask);
    }

    private void storeKvRange(int start, int end, int worker) {
        KvLayout layout = kv.layout();
        int keyWidth = layout.kvHeads() * layout.keyLength();
        int valueWidth = layout.kvHeads() * layout.valueLength();
        for (int t = first(start); t < end(end); t++) {
            int slot = kvBatch.slot(t);
            if (kv.half()) {
                for (int i = 0; i < keyWidth; i++) {
                    kv.keyHalves[slot * keyWidth + i] = Float.floatToFloat16(a[t * keyWidth + i]);
                }
                for (int i = 0; i < valueWidth; i++) {
                    kv.valueHalves[slot * valueWidth + i] = Float.floatToFloat16(b[t * valueWidth + i]);
                }
            } else {
                System.arraycopy(a, t * keyWidth, kv.keyFloats, slot * keyWidth, keyWidth);
                System.arraycopy(b, t * valueWidth, kv.valueFloats, slot * valueWidth, valueWidth);
            }
        }
    }

    void swiglu(float[] gate, float[] up, float[] out, int count) {
        a = gate;
        b = up;
        o = out;
        split(count, 1, swigluTask);
    }

    private void swigluRange(int start, int end, int worker) {
        for (int i = first(start); i < end(end); i++) {
            float x = a[i];
            o[i] = x / (1.0f + (float) Math.exp(-x)) * b[i];
        }
    }

    void geglu(float[] gate, float[] up, float[] out, int count) {
        a = gate;
        b = up;
        o = out;
        split(count, 1, gegluTask);
    }

    private void gegluRange(int start, int end, int worker) {
        for (int i = first(start); i < end(end); i++) {
            o[i] = GeluTable.gelu(a[i]) * b[i];
        }
    }

    void sigmoidGate(float[] gate, float[] x, int rows, int rowWidth) {
        a = gate;
        b = x;
        width = rowWidth;
        split(rows, rowWidth, sigmoidGateTask);
    }

    private void sigmoidGateRange(int start, int end, int worker) {
        for (int r = first(start); r < end(end); r++) {
            // llama.cpp forms the shared-expert gate as silu(g) / g; the same expression keeps its rounding
            float v = a[r];
            float sigmoid = (v / (1.0f + (float) Math.exp(-v))) / v;
            for (int i = 0; i < width; i++) {
                b[r * width + i] *= sigmoid;
            }
        }
    }
}
