package dev.infer4j.bench.model;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.kernels.Weight;
import dev.infer4j.kernels.cpu.int4.GroupQuantWeight;
import dev.infer4j.runtime.model.ExpertWeights;
import dev.infer4j.runtime.model.LayerWeights;
import dev.infer4j.runtime.model.ModelConfig;
import dev.infer4j.runtime.model.ModelWeights;

import java.util.EnumMap;
import java.util.Map;

/**
 * The weight bytes one decoded token reads: every layer's matrices, norms and biases, the output norm and
 * projection, and a single row of the embedding table. Decode at batch 1 is bound by this traffic, so
 * {@code perToken() × tokens/s} is the bandwidth decode achieves.
 *
 * <p>For a mixture of experts a token reads the router, its {@code used} experts and the shared expert; every
 * expert of a layer has the same shape, so that is {@code used} times one expert's bytes.
 *
 * @param layerBytes       bytes of all layers' weights read per token
 * @param outputBytes      bytes of the output norm and output projection
 * @param embeddingRowBytes bytes of one embedding row
 * @param bytesByType      the same total split by element type
 */
public record WeightTraffic(long layerBytes, long outputBytes, long embeddingRowBytes, Map<GgmlType, Long> bytesByType) {

    /** Copies the map. */
    public WeightTraffic {
        bytesByType = Map.copyOf(bytesByType);
    }

    /** Bytes read per decoded token. */
    public long perToken() {
        return layerBytes + outputBytes + embeddingRowBytes;
    }

    /** Counts the weights of a loaded model. */
    public static WeightTraffic of(ModelWeights weights, ModelConfig config) {
        Map<GgmlType, Long> byType = new EnumMap<>(GgmlType.class);
        long layers = 0;
        for (LayerWeights l : weights.layers()) {
            layers += add(byType, 1, l.attentionNorm(), l.query(), l.key(), l.value(), l.queryBias(), l.keyBias(),
                    l.valueBias(), l.queryNorm(), l.keyNorm(), l.attentionOutput(), l.postAttentionNorm(),
                    l.ffnNorm(), l.gate(), l.up(), l.down(), l.postFfnNorm());
            ExpertWeights e = l.experts();
            if (e != null) {
                int used = config.feedForward().experts().used();
                layers += add(byType, 1, e.router(), e.sharedGate(), e.sharedUp(), e.sharedDown(), e.sharedRouter());
                layers += add(byType, used, e.gate().getFirst(), e.up().getFirst(), e.down().getFirst());
            }
        }
        long output = add(byType, 1, weights.outputNorm(), weights.output());
        Weight embd = weights.tokenEmbedding();
        long row = embd.type().bytesFor(embd.cols());
        byType.merge(embd.type(), row, Long::sum);
        return new WeightTraffic(layers, output, row, byType);
    }

    /**
     * Bytes a weight occupies (0 for an absent one); for GPTQ/AWQ the packed words, zero points, scales and any
     * {@code g_idx} a product reads.
     */
    static long bytes(Weight w) {
        if (w instanceof GroupQuantWeight g) {
            GroupQuantizedMatrix m = g.matrix();
            return m.qweight().byteSize() + m.qzeros().byteSize() + m.scales().byteSize()
                    + (m.groupIndex() == null ? 0 : m.groupIndex().byteSize());
        }
        return w == null ? 0 : w.rows() * w.type().bytesFor(w.cols());
    }

    private static long add(Map<GgmlType, Long> byType, int times, Weight... ws) {
        long sum = 0;
        for (Weight w : ws) {
            long b = times * bytes(w);
            if (b > 0) {
                byType.merge(w.type(), b, Long::sum);
                sum += b;
            }
        }
        return sum;
    }
}
