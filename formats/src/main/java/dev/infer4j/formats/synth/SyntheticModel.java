package dev.infer4j.formats.synth;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufValue;
import dev.infer4j.formats.gguf.GgufWriter;
import dev.infer4j.formats.quant.ModelQuantizer;
import dev.infer4j.formats.quant.ParallelQuantizer;
import dev.infer4j.formats.quant.QuantTarget;
import dev.infer4j.formats.quant.TensorTypePlan;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a llama-architecture GGUF with random weights ({@link SyntheticWeights}, seed family = the shape's
 * name), a given {@link ModelShape} and a real vocabulary: every {@code tokenizer.*} entry is copied from a
 * vocabulary GGUF such as llama.cpp's {@code ggml-vocab-llama-spm.gguf}.
 *
 * <p>Norm weights are drawn with mean 1 and standard deviation 0.1, every matrix with mean 0 and 0.02. Each
 * tensor is generated and quantized (on all cores) only when the writer reaches it, so memory holds one output
 * tensor at a time. The per-tensor types follow llama.cpp's rules for the target ({@link TensorTypePlan}).
 */
public final class SyntheticModel {
    private SyntheticModel() {
    }

    /**
     * Writes the model.
     *
     * @param typeOrMix a {@link QuantTarget} name: {@code F32}, {@code Q4_0}, {@code Q8_0}, {@code Q4_K_M}, ...
     * @param vocabGguf a GGUF holding {@code tokenizer.*} metadata (its tensors, if any, are ignored)
     * @throws IllegalArgumentException if the shape's vocabulary size differs from the vocabulary file's
     * @throws ModelFormatException     if the vocabulary file has no token list
     */
    public static void write(ModelShape shape, String typeOrMix, Path vocabGguf, Path out) throws IOException {
        write(shape, typeOrMix, LateBlockDamping.NONE, vocabGguf, out);
    }

    /**
     * Writes the model with its later blocks' residual outputs damped ({@link LateBlockDamping}); the other
     * tensors are those {@link #write(ModelShape, String, Path, Path)} writes.
     *
     * @param damping {@link LateBlockDamping#NONE} for the plain model
     * @throws IllegalArgumentException if the damping starts past the shape's last block
     */
    public static void write(ModelShape shape, String typeOrMix, LateBlockDamping damping, Path vocabGguf, Path out)
            throws IOException {
        damping.requireWithin(shape);
        QuantTarget target = QuantTarget.parse(typeOrMix);
        GgufWriter writer = new GgufWriter();
        ModelShape s;
        try (GgufFile vocab = GgufFile.open(vocabGguf)) {
            int tokens = vocab.require("tokenizer.ggml.tokens").arrayLength();
            if (shape.vocabSize() != 0 && shape.vocabSize() != tokens) {
                throw new IllegalArgumentException("shape " + shape.name() + " has " + shape.vocabSize()
                        + " tokens but " + vocabGguf + " has " + tokens);
            }
            s = shape.withVocabSize(tokens);
            putHeader(writer, s, target, damping);
            for (Map.Entry<String, GgufValue> e : vocab.metadata().entrySet()) {
                if (e.getKey().startsWith("tokenizer.")) {
                    writer.put(e.getKey(), e.getValue());
                }
            }
        }
        List<TensorTypePlan.TensorSpec> tensors = tensors(s);
        TensorTypePlan plan = TensorTypePlan.of(target, false,
                new TensorTypePlan.ModelFacts(s.blockCount(), s.headCount(), s.headCountKv(), 0), tensors);
        for (TensorTypePlan.TensorSpec t : tensors) {
            GgmlType type = plan.typeOf(t.name());
            long[] dims = t.shape();
            double factor = damping.factorFor(t.name());
            writer.addTensor(t.name(), type, dims, () -> generate(s.name(), t.name(), dims, type, factor));
        }
        writer.write(out);
    }

    private static void putHeader(GgufWriter w, ModelShape s, QuantTarget target, LateBlockDamping damping) {
        w.put("general.architecture", GgufValue.ofString("llama"));
        w.put("general.name", GgufValue.ofString(s.name()));
        w.put("general.description", GgufValue.ofString("synthetic random-weight model of shape " + s.name()
                + " (infer4j SyntheticModel; weights are not trained)"
                + (damping == LateBlockDamping.NONE ? "" : "; attn_output and ffn_down of blocks "
                        + damping.firstBlock() + " and up scaled by " + damping.scale())));
        w.put("general.file_type", GgufValue.ofUInt32(target.fileType()));
        w.put("general.quantization_version", GgufValue.ofUInt32(ModelQuantizer.QUANTIZATION_VERSION));
        w.put("llama.context_length", GgufValue.ofUInt32(s.contextLength()));
        w.put("llama.embedding_length", GgufValue.ofUInt32(s.embeddingLength()));
        w.put("llama.block_count", GgufValue.ofUInt32(s.blockCount()));
        w.put("llama.feed_forward_length", GgufValue.ofUInt32(s.feedForwardLength()));
        w.put("llama.attention.head_count", GgufValue.ofUInt32(s.headCount()));
        w.put("llama.attention.head_count_kv", GgufValue.ofUInt32(s.headCountKv()));
        w.put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(s.rmsNormEps()));
        w.put("llama.rope.dimension_count", GgufValue.ofUInt32(s.headDim()));
        w.put("llama.rope.freq_base", GgufValue.ofFloat32(s.ropeFreqBase()));
        w.put("llama.vocab_size", GgufValue.ofUInt32(s.vocabSize()));
    }

    /** The tensors of a llama model in the order llama.cpp's converter writes them, ggml shapes. */
    static List<TensorTypePlan.TensorSpec> tensors(ModelShape s) {
        long dim = s.embeddingLength();
        long kv = (long) s.headCountKv() * s.headDim();
        long ffn = s.feedForwardLength();
        List<TensorTypePlan.TensorSpec> list = new ArrayList<>();
        list.add(spec("token_embd.weight", dim, s.vocabSize()));
        for (int i = 0; i < s.blockCount(); i++) {
            String p = "blk." + i + ".";
            list.add(spec(p + "attn_norm.weight", dim));
            list.add(spec(p + "attn_q.weight", dim, dim));
            list.add(spec(p + "attn_k.weight", dim, kv));
            list.add(spec(p + "attn_v.weight", dim, kv));
            list.add(spec(p + "attn_output.weight", dim, dim));
            list.add(spec(p + "ffn_norm.weight", dim));
            list.add(spec(p + "ffn_gate.weight", dim, ffn));
            list.add(spec(p + "ffn_up.weight", dim, ffn));
            list.add(spec(p + "ffn_down.weight", ffn, dim));
        }
        list.add(spec("output_norm.weight", dim));
        if (!s.tiedEmbeddings()) {
            list.add(spec("output.weight", dim, s.vocabSize()));
        }
        return list;
    }

    private static TensorTypePlan.TensorSpec spec(String name, long... shape) {
        return new TensorTypePlan.TensorSpec(name, shape, GgmlType.F32);
    }

    private static MemorySegment generate(String family, String name, long[] shape, GgmlType type, double factor) {
        int cols = Math.toIntExact(shape[0]);
        long rows = 1;
        for (int d = 1; d < shape.length; d++) {
            rows *= shape[d];
        }
        return ParallelQuantizer.quantize(type, rows, cols,
                (first, count, into) -> {
                    SyntheticWeights.fillTensor(family, name, first * cols, into, 0, count * cols);
                    if (factor != 1.0) {
                        for (int i = 0; i < count * cols; i++) {
                            into[i] = (float) (into[i] * factor);
                        }
                    }
                });
    }
}
