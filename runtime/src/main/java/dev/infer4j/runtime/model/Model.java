package dev.infer4j.runtime.model;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.kernels.ActivationBuffer;
import dev.infer4j.kernels.Attention;
import dev.infer4j.kernels.AttentionMethod;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.KvBatch;
import dev.infer4j.kernels.KvLayout;
import dev.infer4j.kernels.Rope;
import dev.infer4j.kernels.Weight;
import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.kv.KvCache;
import dev.infer4j.runtime.kv.KvCacheSpec;

/**
 * A transformer language model over a GGUF file's weights, with its paged KV cache.
 *
 * <p>{@link #forward} runs one pass over a {@link Batch}: every new token of every sequence is embedded, goes
 * through the layers (its K and V are stored in its sequence's blocks, and it attends to its sequence's cached
 * positions), and the requested positions come out as {@link Logits}. Rows never mix, so a sequence's logits are
 * the same alone or in any batch.
 *
 * <p>Driven by one thread (the engine's step loop). Buffers are sized for the largest batch seen and reused.
 */
public final class Model {
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Kernels kernels;
    private final KvCache cache;
    private final KvBatch kvBatch;
    private final Logits logits;
    private final Rope[] ropes;
    private final Attention[] attentions;
    private Workspace ws;

    private Model(ModelConfig config, ModelWeights weights, Kernels kernels, KvCache cache, AttentionMethod method) {
        this.config = config;
        this.weights = weights;
        this.kernels = kernels;
        this.cache = cache;
        this.kvBatch = new KvBatch(cache.blockSize());
        this.logits = new Logits(config.vocabSize());
        this.ropes = new Rope[config.layerCount()];
        this.attentions = new Attention[config.layerCount()];
        for (int l = 0; l < config.layerCount(); l++) {
            ropes[l] = config.attention().ropeFor(l);
            attentions[l] = config.attention().kernelParams(l, method);
        }
    }

    /**
     * Loads the model in {@code file} with {@link AttentionMethod#SOFTMAX} attention (llama.cpp with flash
     * attention off).
     *
     * @throws ModelFormatException if the architecture, a tensor type or a tensor shape is not supported
     */
    public static Model load(GgufFile file, Kernels kernels, KvCacheSpec kvSpec) {
        return load(file, kernels, kvSpec, AttentionMethod.SOFTMAX);
    }

    /**
     * Loads the model in {@code file} (weights stay in the mapping, which must outlive the model) and allocates
     * its KV cache.
     *
     * @param method how attention rounds: {@link AttentionMethod#FLASH} reproduces llama.cpp with flash attention
     *               on (its server's default), {@link AttentionMethod#SOFTMAX} with it off
     * @throws ModelFormatException if the architecture, a tensor type or a tensor shape is not supported
     */
    public static Model load(GgufFile file, Kernels kernels, KvCacheSpec kvSpec, AttentionMethod method) {
        ModelConfig config = ModelConfigReader.read(file);
        ModelWeights weights = WeightLoader.load(file, kernels, config);
        AttentionConfig a = config.attention();
        KvLayout layout = new KvLayout(kvSpec.blocks(), kvSpec.blockSize(), a.kvHeadCount(), a.keyLength(),
                a.valueLength(), kvSpec.type());
        return new Model(config, weights, kernels, new KvCache(kernels, config.layerCount(), layout), method);
    }

    /**
     * A model over weights already bound by another loader (a Hugging Face directory, for one), with a fresh KV
     * cache. The weights' backing memory must outlive the model.
     */
    public static Model of(ModelConfig config, ModelWeights weights, Kernels kernels, KvCacheSpec kvSpec,
                           AttentionMethod method) {
        AttentionConfig a = config.attention();
        KvLayout layout = new KvLayout(kvSpec.blocks(), kvSpec.blockSize(), a.kvHeadCount(), a.keyLength(),
                a.valueLength(), kvSpec.type());
        return new Model(config, weights, kernels, new KvCache(kernels, config.layerCount(), layout), method);
    }

    /** The model's configuration. */
    public ModelConfig config() {
        return config;
    }

    /** The model's weights. */
    public ModelWeights weights() {
        return weights;
    }

    /** The KV cache: its pool supplies the blocks of every sequence's table. */
    public KvCache kvCache() {
        return cache;
    }

    /**
     * Runs the batch's new tokens through the model, storing their K/V in their sequences' blocks.
     *
     * @return logits of the requested positions, valid until the next call
     * @throws IllegalArgumentException if a block table does not cover its sequence's new positions
     */
    public Logits forward(Batch batch) {
        int n = batch.tokens();
        prepare(batch);
        int width = config.embeddingLength();

        kernels.embed(weights.tokenEmbedding(), batch.tokenIds(), n, ws.x);
        if (config.embeddingScale() != 1f) {
            kernels.scale(ws.x, config.embeddingScale(), n * width);
        }
        for (int l = 0; l < config.layerCount(); l++) {
            LayerWeights layer = weights.layers().get(l);
            attentionBlock(l, layer, n);
            feedForwardBlock(layer, n);
        }

        int rows = logits.rows();
        kernels.gatherRows(ws.x, ws.logitSourceRows, rows, width, ws.hidden);
        kernels.rmsNorm(ws.hidden, weights.outputNorm(), ws.hidden, rows, config.normEps());
        kernels.matmul(weights.output(), ws.hidden, ws.logits, rows);
        if (config.finalSoftCap() > 0) {
            kernels.softCap(ws.logits, config.finalSoftCap(), rows * config.vocabSize());
        }
        kernels.download(ws.logits, 0, logits.data(), 0, rows * config.vocabSize());
        return logits;
    }

    private void attentionBlock(int l, LayerWeights layer, int n) {
        AttentionConfig a = config.attention();
        float eps = config.normEps();
        kernels.rmsNorm(ws.x, layer.attentionNorm(), ws.normed, n, eps);
        kernels.matmul(layer.query(), ws.normed, ws.query, n);
        kernels.matmul(layer.key(), ws.normed, ws.key, n);
        kernels.matmul(layer.value(), ws.normed, ws.value, n);
        if (a.qkvBias()) {
            kernels.addBias(ws.query, layer.queryBias(), n);
            kernels.addBias(ws.key, layer.keyBias(), n);
            kernels.addBias(ws.value, layer.valueBias(), n);
        }
        if (a.qkNorm()) {
            kernels.rmsNorm(ws.query, layer.queryNorm(), ws.query, n * a.headCount(), eps);
            kernels.rmsNorm(ws.key, layer.keyNorm(), ws.key, n * a.kvHeadCount(), eps);
        }
        kernels.rope(ws.query, n, a.headCount(), a.keyLength(), kvBatch.positions(), ropes[l]);
        kernels.rope(ws.key, n, a.kvHeadCount(), a.keyLength(), kvBatch.positions(), ropes[l]);
        if (a.queryScale() != 0f) {
            kernels.scale(ws.query, a.queryScale(), n * a.headCount() * a.keyLength());
        }
        kernels.storeKv(cache.layer(l), ws.key, ws.value, kvBatch);
        kernels.attention(ws.query, cache.layer(l), ws.attended, kvBatch, attentions[l]);
        kernels.matmul(layer.attentionOutput(), ws.attended, ws.branch, n);
        if (config.postNorms()) {
            kernels.rmsNorm(ws.branch, layer.postAttentionNorm(), ws.branch, n, eps);
        }
        kernels.add(ws.x, ws.branch, ws.x, n * config.embeddingLength());
    }

    private void feedForwardBlock(LayerWeights layer, int n) {
        kernels.rmsNorm(ws.x, layer.ffnNorm(), ws.normed, n, config.normEps());
        if (config.feedForward().isMoe()) {
            experts(layer.experts(), config.feedForward().experts(), n);
        } else {
            gatedFeedForward(layer.gate(), layer.up(), layer.down(), ws.normed, ws.branch, n);
        }
        if (config.postNorms()) {
            kernels.rmsNorm(ws.branch, layer.postFfnNorm(), ws.branch, n, config.normEps());
        }
        kernels.add(ws.x, ws.branch, ws.x, n * config.embeddingLength());
    }

    /** {@code out = down(act(gate(in)) · up(in))} for {@code n} rows. */
    private void gatedFeedForward(Weight gate, Weight up, Weight down, ActivationBuffer in, ActivationBuffer out, int n) {
        kernels.matmul(gate, in, ws.gate, n);
        kernels.matmul(up, in, ws.up, n);
        switch (config.feedForward().activation()) {
            case SILU -> kernels.swiglu(ws.gate, ws.up, ws.gate, n * gate.rows());
            case GELU -> kernels.geglu(ws.gate, ws.up, ws.gate, n * gate.rows());
        }
        kernels.matmul(down, ws.gate, out, n);
    }

    /**
     * Routes each token to its top experts and sums their outputs weighted by router probability; adds the gated
     * shared expert when there is one. Tokens are grouped per expert so each expert's weights are read once.
     */
    private void experts(ExpertWeights e, ExpertConfig c, int n) {
        int width = config.embeddingLength();
        kernels.matmul(e.router(), ws.normed, ws.router, n);
        kernels.softmax(ws.router, n, c.count());
        kernels.topK(ws.router, n, c.count(), c.used(), ws.chosenExperts, ws.chosenWeights);
        if (c.normalizeWeights()) {
            for (int t = 0; t < n; t++) {
                float sum = 0f;
                for (int j = 0; j < c.used(); j++) {
                    sum += ws.chosenWeights[t * c.used() + j];
                }
                for (int j = 0; j < c.used(); j++) {
                    ws.chosenWeights[t * c.used() + j] /= sum;
                }
            }
        }
        kernels.fill(ws.branch, 0f, n * width);
        for (int x = 0; x < c.count(); x++) {
            int m = 0;
            for (int t = 0; t < n; t++) {
                for (int j = 0; j < c.used(); j++) {
                    if (ws.chosenExperts[t * c.used() + j] == x) {
                        ws.expertRows[m] = t;
                        ws.expertScales[m] = ws.chosenWeights[t * c.used() + j];
                        m++;
                    }
                }
            }
            if (m == 0) {
                continue;
            }
            kernels.gatherRows(ws.normed, ws.expertRows, m, width, ws.expertInput);
            gatedFeedForward(e.gate().get(x), e.up().get(x), e.down().get(x), ws.expertInput, ws.expertOutput, m);
            kernels.scatterAddRows(ws.expertOutput, ws.expertRows, ws.expertScales, m, width, ws.branch);
        }
        if (e.hasShared()) {
            gatedFeedForward(e.sharedGate(), e.sharedUp(), e.sharedDown(), ws.normed, ws.expertOutput, n);
            kernels.matmul(e.sharedRouter(), ws.normed, ws.sharedGate, n);
            kernels.sigmoidGate(ws.sharedGate, ws.expertOutput, n, width);
            kernels.add(ws.branch, ws.expertOutput, ws.branch, n * width);
        }
    }

    private static int powerOfTwoAtLeast(int n) {
        return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** Maps the batch onto the cache and sizes the buffers (only when the batch is larger than any before). */
    private void prepare(Batch batch) {
        if (batch.sequences() == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        kvBatch.clear();
        for (int s = 0; s < batch.sequences(); s++) {
            BlockTable table = batch.table(s);
            if (table.blockSize() != cache.blockSize()) {
                throw new IllegalArgumentException("sequence " + s + " has a block table for blocks of "
                        + table.blockSize() + " positions, the cache uses " + cache.blockSize());
            }
            kvBatch.addSequence(table.blockIds(), table.blockCount(), batch.firstPosition(s), batch.tokenCount(s));
        }
        int rows = batch.logitRows();
        if (ws == null || !ws.fits(batch.tokens(), rows)) {
            int tokens = Math.max(batch.tokens(), ws == null ? 0 : ws.tokens);
            int logitRows = Math.max(rows, ws == null ? 0 : ws.logitRows);
            ws = new Workspace(kernels, config, powerOfTwoAtLeast(tokens), powerOfTwoAtLeast(logitRows));
        }
        logits.reset(batch);
        int row = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            int start = batch.tokenStart(s);
            int count = batch.tokenCount(s);
            if (batch.allLogits(s)) {
                for (int i = 0; i < count; i++) {
                    ws.logitSourceRows[row++] = start + i;
                }
            } else {
                ws.logitSourceRows[row++] = start + count - 1;
            }
        }
    }
}
