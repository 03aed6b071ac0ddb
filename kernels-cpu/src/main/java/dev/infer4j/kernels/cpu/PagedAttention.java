package dev.infer4j.kernels.cpu;

import dev.infer4j.kernels.Attention;
import dev.infer4j.kernels.KvBatch;
import dev.infer4j.kernels.KvLayout;
import dev.infer4j.kernels.cpu.parallel.RangeTask;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;

import java.util.Arrays;

/**
 * Attention over the heap KV cache, split across the worker pool by (token, query head) pairs.
 *
 * <p>A worker walks its token's visible positions block by block through the sequence's block table: it widens one
 * block of one K/V head into its own scratch and scores every query head of its range that shares that K/V head
 * against it, so a half-precision cache is widened once per block and head group rather than once per query head,
 * and a long prefill touches only the keys each token can see. Each output row is written by exactly one worker and
 * its keys are visited in position order, so the result does not depend on how the pairs were split.
 *
 * <p>Two methods ({@link dev.infer4j.kernels.AttentionMethod}) reproduce llama.cpp's two paths. With a
 * half-precision cache the softmax path rounds the query and the probabilities to half before their products, as
 * ggml's non-flash path does (it multiplies F16 K and V by F16 copies of Q and of the softmax); the flash path
 * rounds the query and keeps its running sum in half. Scores are summed in ggml's order ({@link HalfDotOrder}: for
 * heads shorter than 32, one product at a time in double), and the flash path's value update and softmax sum are
 * fused multiply-adds, as ggml's compiled code does them: any other rounding here is a one-ulp difference that the
 * half-precision cache turns into a flipped rounding now and then (measured against llama.cpp's own intermediate
 * tensors: given the same queries, keys and values, every layer's attention output for a 13-token stories260K-F16
 * prompt equals llama.cpp's bit for bit this way, and with the previous float-lane sums about half of them did not).
 *
 * <p>Scratch grows to the largest shape seen, once per worker, before the work is handed out; steady decoding
 * allocates nothing. Driven by one thread at a time.
 */
final class PagedAttention {
    /**
     * Multiply-adds below which a call stays on the calling thread: a decode step of a small model finishes sooner
     * than another core can be woken, most of all when the cores are shared.
     */
    private static final long PARALLEL_WORK = 1 << 17;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private final RangeTask pairs = this::attendPairs;
    private int[] sequenceOf = new int[16];

    // The call in flight: written by the calling thread before parallelFor hands the work out.
    private float[] q;
    private float[] out;
    private HeapKvStorage kv;
    private KvBatch batch;
    private Attention attention;
    private int queryHeads;
    private int kvHeads;
    private int group;
    private int keyLength;
    private int valueLength;
    private int spanCapacity;

    PagedAttention(WorkerPool pool) {
        this.pool = pool;
        this.scratch = new Scratch[pool.threads()];
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    /** One worker's buffers: a widened block of keys and values, its rounded queries, scores and softmax state. */
    private static final class Scratch {
        float[] keys = new float[0];
        float[] values = new float[0];
        float[] query = new float[0];
        float[] scores = new float[0];
        float[] max = new float[0];
        float[] sum = new float[0];
        final float[] dotLanes = new float[HalfDotOrder.LANES];

        void ensure(int blockSize, int keyLength, int valueLength, int group, int span) {
            if (keys.length < blockSize * keyLength) {
                keys = new float[blockSize * keyLength];
            }
            if (values.length < blockSize * valueLength) {
                values = new float[blockSize * valueLength];
            }
            if (query.length < group * keyLength) {
                query = new float[group * keyLength];
            }
            if (scores.length < group * span) {
                scores = new float[Math.max(group * span, scores.length * 2)];
            }
            if (max.length < group) {
                max = new float[group];
                sum = new float[group];
            }
        }
    }

    void run(float[] q, HeapKvStorage kv, float[] out, KvBatch batch, Attention attention) {
        KvLayout layout = kv.layout();
        int heads = attention.queryHeads();
        if (heads % layout.kvHeads() != 0) {
            throw new IllegalArgumentException(heads + " query heads cannot share " + layout.kvHeads() + " K/V heads");
        }
        if (batch.blockSize() != layout.blockSize()) {
            throw new IllegalArgumentException("batch blocks hold " + batch.blockSize() + " positions, the cache's "
                    + layout.blockSize());
        }
        int tokens = batch.tokens();
        if (sequenceOf.length < tokens) {
            sequenceOf = new int[Math.max(tokens, sequenceOf.length * 2)];
        }
        int window = attention.slidingWindow();
        int span = 1;
        long work = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            int first = batch.firstToken(s);
            int count = batch.tokenCount(s);
            Arrays.fill(sequenceOf, first, first + count, s);
            int last = batch.position(first + count - 1);
            int visible = window > 0 ? Math.min(window, last + 1) : last + 1;
            span = Math.max(span, visible);
            work += (long) count * visible;
        }
        work *= (long) heads * (layout.keyLength() + layout.valueLength());
        this.queryHeads = heads;
        this.kvHeads = layout.kvHeads();
        this.group = heads / layout.kvHeads();
        this.keyLength = layout.keyLength();
        this.valueLength = layout.valueLength();
        this.spanCapacity = span;
        for (Scratch s : scratch) {
            s.ensure(layout.blockSize(), keyLength, valueLength, group, span);
        }
        this.q = q;
        this.out = out;
        this.kv = kv;
        this.batch = batch;
        this.attention = attention;
        try {
            if (work < PARALLEL_WORK) {
                attendPairs(0, tokens * heads, 0);
            } else {
                pool.parallelFor(tokens * heads, pairs);
            }
        } finally {
            this.q = null;
            this.out = null;
            this.kv = null;
            this.batch = null;
            this.attention = null;
        }
    }

    /** Pair {@code i} is query head {@code i % queryHeads} of token {@code i / queryHeads}. */
    private void attendPairs(int start, int end, int worker) {
        Scratch s = scratch[worker];
        int i = start;
        while (i < end) {
            int t = i / queryHeads;
            int head = i - t * queryHeads;
            int kvHead = head / group;
            int last = Math.min(end - t * queryHeads, (kvHead + 1) * group);
            attendGroup(s, t, kvHead, head, last);
            i += last - head;
        }
    }

    /** Query heads {@code [firstHead, endHead)} of token {@code t}, all reading K/V head {@code kvHead}. */
    private void attendGroup(Scratch s, int t, int kvHead, int firstHead, int endHead) {
        boolean half = kv.half();
        int position = batch.position(t);
        int window = attention.slidingWindow();
        int from = window > 0 ? Math.max(0, position - window + 1) : 0;
        for (int h = firstHead; h < endHead; h++) {
            int src = (t * queryHeads + h) * keyLength;
            int dst = (h - firstHead) * keyLength;
            for (int d = 0; d < keyLength; d++) {
                s.query[dst + d] = half ? HalfFloats.roundToHalf(q[src + d]) : q[src + d];
            }
            int o = (t * queryHeads + h) * valueLength;
            Arrays.fill(out, o, o + valueLength, 0f);
        }
        int[] blocks = batch.blockIds(sequenceOf[t]);
        switch (attention.method()) {
            case SOFTMAX -> softmaxThenValues(s, blocks, t, kvHead, firstHead, endHead, from, position, half);
            case FLASH -> onlineSoftmax(s, blocks, t, kvHead, firstHead, endHead, from, position, half);
        }
    }

    private void softmaxThenValues(Scratch s, int[] blocks, int t, int kvHead, int firstHead, int endHead, int from,
                                   int to, boolean half) {
        int heads = endHead - firstHead;
        int blockSize = batch.blockSize();
        for (int b = from / blockSize; b <= to / blockSize; b++) {
            int lo = Math.max(from, b * blockSize);
            int count = Math.min(to, b * blockSize + blockSize - 1) - lo + 1;
            widen(blocks[b] * blockSize + lo - b * blockSize, count, kvHead, true, s);
            for (int g = 0; g < heads; g++) {
                int row = g * spanCapacity + lo - from;
                for (int i = 0; i < count; i++) {
                    s.scores[row + i] = score(s, g * keyLength, i * keyLength);
                }
            }
        }
        int span = to - from + 1;
        for (int g = 0; g < heads; g++) {
            int row = g * spanCapacity;
            float max = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < span; k++) {
                max = Math.max(max, s.scores[row + k]);
            }
            double sum = 0;
            for (int k = 0; k < span; k++) {
                float e = (float) Math.exp(s.scores[row + k] - max);
                s.scores[row + k] = e;
                sum += e;
            }
            s.sum[g] = (float) (1.0 / sum);
        }
        for (int b = from / blockSize; b <= to / blockSize; b++) {
            int lo = Math.max(from, b * blockSize);
            int count = Math.min(to, b * blockSize + blockSize - 1) - lo + 1;
            widen(blocks[b] * blockSize + lo - b * blockSize, count, kvHead, false, s);
            for (int g = 0; g < heads; g++) {
                int row = g * spanCapacity + lo - from;
                int o = (t * queryHeads + firstHead + g) * valueLength;
                float inverse = s.sum[g];
                for (int i = 0; i < count; i++) {
                    float p = s.scores[row + i] * inverse;
                    if (half) {
                        p = HalfFloats.roundToHalf(p);
                    }
                    FloatDot.addScaled(out, o, p, s.values, i * valueLength, valueLength);
                }
            }
        }
    }

    /**
     * ggml's CPU flash attention: the running sum is rescaled by exp(oldMax - newMax) when a larger score arrives;
     * over a half cache it is stored in half precision after every update, which is where its rounding comes from.
     */
    private void onlineSoftmax(Scratch s, int[] blocks, int t, int kvHead, int firstHead, int endHead, int from,
                               int to, boolean half) {
        int heads = endHead - firstHead;
        int blockSize = batch.blockSize();
        Arrays.fill(s.max, 0, heads, Float.NEGATIVE_INFINITY);
        Arrays.fill(s.sum, 0, heads, 0f);
        for (int b = from / blockSize; b <= to / blockSize; b++) {
            int lo = Math.max(from, b * blockSize);
            int count = Math.min(to, b * blockSize + blockSize - 1) - lo + 1;
            int firstSlot = blocks[b] * blockSize + lo - b * blockSize;
            widen(firstSlot, count, kvHead, true, s);
            widen(firstSlot, count, kvHead, false, s);
            for (int g = 0; g < heads; g++) {
                int o = (t * queryHeads + firstHead + g) * valueLength;
                float max = s.max[g];
                float sum = s.sum[g];
                for (int i = 0; i < count; i++) {
                    float score = score(s, g * keyLength, i * keyLength);
                    float rescale = 1f;
                    float weight = 1f;
                    if (score > max) {
                        rescale = (float) Math.exp(max - score);
                        max = score;
                        for (int d = 0; d < valueLength; d++) {
                            float v = out[o + d] * rescale;
                            out[o + d] = half ? HalfFloats.roundToHalf(v) : v;
                        }
                    } else {
                        weight = (float) Math.exp(score - max);
                    }
                    // ggml's ggml_vec_mad_f16 and its running sum, both fused multiply-adds as compiled
                    int v = i * valueLength;
                    if (half) {
                        for (int d = 0; d < valueLength; d++) {
                            out[o + d] = HalfFloats.roundToHalf(Math.fma(s.values[v + d], weight, out[o + d]));
                        }
                    } else {
                        for (int d = 0; d < valueLength; d++) {
                            out[o + d] = Math.fma(s.values[v + d], weight, out[o + d]);
                        }
                    }
                    sum = Math.fma(sum, rescale, weight);
                }
                s.max[g] = max;
                s.sum[g] = sum;
            }
        }
        for (int g = 0; g < heads; g++) {
            int o = (t * queryHeads + firstHead + g) * valueLength;
            float inverse = 1.0f / s.sum[g];
            for (int d = 0; d < valueLength; d++) {
                out[o + d] *= inverse;
            }
        }
    }

    /** Query {@code queryOffset} of the worker's rounded queries against key {@code keyOffset} of its widened block. */
    private float score(Scratch scratch, int queryOffset, int keyOffset) {
        float s = HalfDotOrder.dot(scratch.query, queryOffset, scratch.keys, keyOffset, keyLength, scratch.dotLanes);
        float cap = attention.softCap();
        if (cap > 0) {
            s = cap * (float) StrictMath.tanh(s * (1.0f / cap));
        }
        return s * attention.scale();
    }

    /** Copies {@code count} consecutive slots of one K/V head, keys or values, into the worker's scratch as floats. */
    private void widen(int firstSlot, int count, int kvHead, boolean keys, Scratch s) {
        int length = keys ? keyLength : valueLength;
        float[] dst = keys ? s.keys : s.values;
        for (int i = 0; i < count; i++) {
            int at = ((firstSlot + i) * kvHeads + kvHead) * length;
            if (kv.half()) {
                short[] src = keys ? kv.keyHalves : kv.valueHalves;
                for (int d = 0; d < length; d++) {
                    dst[i * length + d] = Float.float16ToFloat(src[at + d]);
                }
            } else {
                System.arraycopy(keys ? kv.keyFloats : kv.valueFloats, at, dst, i * length, length);
            }
        }
    }
}
