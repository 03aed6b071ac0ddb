package dev.infer4j.kernels.cpu;

import dev.infer4j.kernels.Attention;
import dev.infer4j.kernels.KvBatch;
import dev.infer4j.kernels.KvLayout;

/**
 * Attention over the heap KV cache, one sequence and one K/V head at a time: the keys and values the sequence's
 * new tokens can see are widened into scratch once, then every query head of the group and every new token scores
 * against them.
 *
 * <p>Two methods ({@link dev.infer4j.kernels.AttentionMethod}) reproduce llama.cpp's two paths. With a
 * half-precision cache the softmax path rounds the query and the probabilities to half before their products, as
 * ggml's non-flash path does (it multiplies F16 K and V by F16 copies of Q and of the softmax); the flash path
 * rounds the query and keeps its running sum in half.
 */
final class PagedAttention {
    private float[] keys = new float[0];
    private float[] values = new float[0];
    private float[] scores = new float[0];
    private float[] query = new float[0];

    void run(float[] q, HeapKvStorage kv, float[] out, KvBatch batch, Attention attention) {
        KvLayout layout = kv.layout();
        int kvHeads = layout.kvHeads();
        int queryHeads = attention.queryHeads();
        if (queryHeads % kvHeads != 0) {
            throw new IllegalArgumentException(queryHeads + " query heads cannot share " + kvHeads + " K/V heads");
        }
        int group = queryHeads / kvHeads;
        int keyLength = layout.keyLength();
        int valueLength = layout.valueLength();
        int window = attention.slidingWindow();
        if (query.length < keyLength) {
            query = new float[keyLength];
        }
        for (int s = 0; s < batch.sequences(); s++) {
            int first = batch.firstToken(s);
            int count = batch.tokenCount(s);
            int lastPosition = batch.position(first + count - 1);
            int lowest = window > 0 ? Math.max(0, batch.position(first) - window + 1) : 0;
            int span = lastPosition - lowest + 1;
            ensureScratch(span, keyLength, valueLength);
            for (int h = 0; h < kvHeads; h++) {
                widen(kv, batch, s, h, lowest, span);
                for (int t = first; t < first + count; t++) {
                    int position = batch.position(t);
                    int from = window > 0 ? Math.max(lowest, position - window + 1) : 0;
                    for (int g = 0; g < group; g++) {
                        int head = h * group + g;
                        attendOne(q, (t * queryHeads + head) * keyLength, out, (t * queryHeads + head) * valueLength,
                                from - lowest, position - lowest, keyLength, valueLength, attention, kv.half());
                    }
                }
            }
        }
    }

    private void attendOne(float[] q, int qOffset, float[] out, int outOffset, int from, int to, int keyLength,
                           int valueLength, Attention attention, boolean half) {
        for (int d = 0; d < keyLength; d++) {
            query[d] = half ? HalfFloats.roundToHalf(q[qOffset + d]) : q[qOffset + d];
        }
        switch (attention.method()) {
            case SOFTMAX -> softmaxThenValues(out, outOffset, from, to, keyLength, valueLength, attention, half);
            case FLASH -> onlineSoftmax(out, outOffset, from, to, keyLength, valueLength, attention, half);
        }
    }

    private float score(int k, int keyLength, Attention attention) {
        float s = FloatDot.dot(query, 0, keys, k * keyLength, keyLength);
        float cap = attention.softCap();
        if (cap > 0) {
            s = cap * (float) Math.tanh(s * (1.0f / cap));
        }
        return s * attention.scale();
    }

    /**
     * ggml's CPU flash attention: the running sum is rescaled by exp(oldMax - newMax) when a larger score arrives;
     * over a half cache it is stored in half precision after every update, which is where its rounding comes from.
     */
    private void onlineSoftmax(float[] out, int outOffset, int from, int to, int keyLength, int valueLength,
                               Attention attention, boolean half) {
        float max = Float.NEGATIVE_INFINITY;
        float sum = 0f;
        java.util.Arrays.fill(out, outOffset, outOffset + valueLength, 0f);
        for (int k = from; k <= to; k++) {
            float s = score(k, keyLength, attention);
            float rescale = 1f;
            float weight = 1f;
            if (s > max) {
                rescale = (float) Math.exp(max - s);
                max = s;
                for (int d = 0; d < valueLength; d++) {
                    float v = out[outOffset + d] * rescale;
                    out[outOffset + d] = half ? HalfFloats.roundToHalf(v) : v;
                }
            } else {
                weight = (float) Math.exp(s - max);
            }
            for (int d = 0; d < valueLength; d++) {
                float v = out[outOffset + d] + values[k * valueLength + d] * weight;
                out[outOffset + d] = half ? HalfFloats.roundToHalf(v) : v;
            }
            sum = sum * rescale + weight;
        }
        float inverse = 1.0f / sum;
        for (int d = 0; d < valueLength; d++) {
            out[outOffset + d] *= inverse;
        }
    }

    private void softmaxThenValues(float[] out, int outOffset, int from, int to, int keyLength, int valueLength,
                                   Attention attention, boolean half) {
        float max = Float.NEGATIVE_INFINITY;
        for (int k = from; k <= to; k++) {
            float s = score(k, keyLength, attention);
            scores[k] = s;
            max = Math.max(max, s);
        }
        double sum = 0;
        for (int k = from; k <= to; k++) {
            float e = (float) Math.exp(scores[k] - max);
            scores[k] = e;
            sum += e;
        }
        float inverse = (float) (1.0 / sum);
        java.util.Arrays.fill(out, outOffset, outOffset + valueLength, 0f);
        for (int k = from; k <= to; k++) {
            float p = scores[k] * inverse;
            if (half) {
                p = HalfFloats.roundToHalf(p);
            }
            FloatDot.addScaled(out, outOffset, p, values, k * valueLength, valueLength);
        }
    }

    private void widen(HeapKvStorage kv, KvBatch batch, int s, int h, int lowest, int span) {
        KvLayout layout = kv.layout();
        int kvHeads = layout.kvHeads();
        int keyLength = layout.keyLength();
        int valueLength = layout.valueLength();
        for (int i = 0; i < span; i++) {
            int slot = batch.slotOf(s, lowest + i);
            int keyAt = (slot * kvHeads + h) * keyLength;
            int valueAt = (slot * kvHeads + h) * valueLength;
            if (kv.half()) {
                for (int d = 0; d < keyLength; d++) {
                    keys[i * keyLength + d] = Float.float16ToFloat(kv.keyHalves[keyAt + d]);
                }
                for (int d = 0; d < valueLength; d++) {
                    values[i * valueLength + d] = Float.float16ToFloat(kv.valueHalves[valueAt + d]);
                }
            } else {
                System.arraycopy(kv.keyFloats, keyAt, keys, i * keyLength, keyLength);
                System.arraycopy(kv.valueFloats, valueAt, values, i * valueLength, valueLength);
            }
        }
    }

    private void ensureScratch(int span, int keyLength, int valueLength) {
        if (keys.length < span * keyLength) {
            keys = new float[Math.max(span * keyLength, keys.length * 2)];
        }
        if (values.length < span * valueLength) {
            values = new float[Math.max(span * valueLength, values.length * 2)];
        }
        if (scores.length < span) {
            scores = new float[Math.max(span, scores.length * 2)];
        }
    }
}
