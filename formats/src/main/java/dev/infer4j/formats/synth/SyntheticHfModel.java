package dev.infer4j.formats.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.formats.quant.ParallelQuantizer;
import dev.infer4j.formats.quant.TensorTypePlan;
import dev.infer4j.formats.safetensors.SafetensorsCheckpoint;
import dev.infer4j.formats.safetensors.SafetensorsDType;
import dev.infer4j.formats.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Writes a Hugging Face model directory ({@code LlamaForCausalLM}) with a 4-bit GPTQ or AWQ checkpoint of the
 * same random model {@link SyntheticModel} writes as GGUF: {@code config.json} (with {@code quantization_config}),
 * {@code generation_config.json}, {@code model.safetensors}, and a {@code tokenizer.json} /
 * {@code tokenizer_config.json} pair converted from the vocabulary GGUF ({@link SentencePieceTokenizerJson}).
 *
 * <p>Every value comes from {@link SyntheticWeights#fillTensor} under the GGUF tensor's name, so a matrix here
 * is its GGUF twin's matrix. The exception is the order of Q and K rows: llama.cpp's converter interleaves each
 * head's two rotary halves for GGUF's adjacent-pair RoPE, and Hugging Face keeps them as halves; the rows are
 * taken back to Hugging Face's order, so both files compute the same function. The seven linear layers of each
 * block are quantized ({@link PackedLinear}); embeddings, norms and {@code lm_head} are stored as F16, as
 * AutoGPTQ and AutoAWQ checkpoints ship them.
 *
 * <p>Tensors are generated when the writer reaches them: memory holds one tensor's output at a time.
 */
public final class SyntheticHfModel {
    private static final int LINEAR_PARTS_GPTQ = 4;
    private static final int LINEAR_PARTS_AWQ = 3;

    private SyntheticHfModel() {
    }

    /**
     * Writes the model directory, creating it if needed and replacing the files it writes.
     *
     * @param vocabGguf a GGUF with a SentencePiece vocabulary, e.g. llama.cpp's {@code ggml-vocab-llama-spm.gguf}
     * @throws IllegalArgumentException if the shape's vocabulary size differs from the vocabulary file's, or its
     *                                  widths do not fit 8 values per packed word
     * @throws dev.infer4j.formats.ModelFormatException if the vocabulary file is not a SentencePiece vocabulary
     */
    public static void write(ModelShape shape, Int4Quantization quantization, Path vocabGguf, Path dir)
            throws IOException {
        SentencePieceTokenizerJson tokenizer;
        try (GgufFile vocab = GgufFile.open(vocabGguf)) {
            tokenizer = SentencePieceTokenizerJson.from(vocab);
        }
        if (shape.vocabSize() != 0 && shape.vocabSize() != tokenizer.size()) {
            throw new IllegalArgumentException("shape " + shape.name() + " has " + shape.vocabSize()
                    + " tokens but " + vocabGguf + " has " + tokenizer.size());
        }
        ModelShape s = shape.withVocabSize(tokenizer.size());
        Files.createDirectories(dir);
        writeConfig(s, quantization, tokenizer, dir.resolve("config.json"));
        writeGenerationConfig(tokenizer, dir.resolve("generation_config.json"));
        tokenizer.writeTokenizerJson(dir.resolve("tokenizer.json"));
        tokenizer.writeTokenizerConfig(dir.resolve("tokenizer_config.json"), s.contextLength());
        SafetensorsWriter weights = new SafetensorsWriter().metadata("format", "pt");
        for (TensorTypePlan.TensorSpec t : SyntheticModel.tensors(s)) {
            add(weights, s, quantization, t.name(), t.shape());
        }
        weights.write(dir.resolve(SafetensorsCheckpoint.SINGLE));
    }

    private static void add(SafetensorsWriter w, ModelShape s, Int4Quantization q, String gguf, long[] ggufShape) {
        int cols = Math.toIntExact(ggufShape[0]);
        int rows = ggufShape.length == 1 ? 1 : Math.toIntExact(ggufShape[1]);
        long[] shape = ggufShape.length == 1 ? new long[]{cols} : new long[]{rows, cols};
        String family = s.name();
        if (gguf.equals("token_embd.weight") || gguf.equals("output.weight") || gguf.endsWith("_norm.weight")) {
            w.add(hfName(gguf), SafetensorsDType.F16, shape, () -> ParallelQuantizer.quantize(GgmlType.F16, rows, cols,
                    (first, count, into) -> SyntheticWeights.fillTensor(family, gguf, first * cols, into, 0,
                            count * cols)));
            return;
        }
        int ropeHeads = gguf.endsWith(".attn_q.weight") ? s.headCount()
                : gguf.endsWith(".attn_k.weight") ? s.headCountKv() : 0;
        String prefix = hfName(gguf).substring(0, hfName(gguf).length() - ".weight".length());
        boolean gptq = q.layout() == PackedLayout.GPTQ;
        OnePass linear = new OnePass(gptq ? LINEAR_PARTS_GPTQ : LINEAR_PARTS_AWQ, () -> PackedLinear.pack(q, rows,
                cols, (row, firstCol, count, into, offset) -> SyntheticWeights.fillTensor(family, gguf,
                        (long) ggufRow(row, rows, ropeHeads) * cols + firstCol, into, offset, count)));
        w.add(prefix + ".qweight", SafetensorsDType.I32, PackedLinear.qweightShape(q.layout(), rows, cols),
                () -> linear.take(PackedLinear::qweight));
        w.add(prefix + ".qzeros", SafetensorsDType.I32, PackedLinear.qzerosShape(q, rows, cols),
                () -> linear.take(PackedLinear::qzeros));
        w.add(prefix + ".scales", SafetensorsDType.F16, PackedLinear.scalesShape(q, rows, cols),
                () -> linear.take(PackedLinear::scales));
        if (gptq) {
            w.add(prefix + ".g_idx", SafetensorsDType.I32, new long[]{cols}, () -> linear.take(PackedLinear::groupIndex));
        }
    }

    /**
     * The GGUF row that Hugging Face row {@code row} of a Q or K matrix with {@code heads} heads came from
     * (llama.cpp's converter sends row {@code (h, half j, i)} to {@code (h, i, j)}); any other matrix keeps its
     * rows ({@code heads = 0}).
     */
    static int ggufRow(int row, int rows, int heads) {
        if (heads == 0) {
            return row;
        }
        int headDim = rows / heads;
        int half = headDim / 2;
        int within = row % headDim;
        return row - within + 2 * (within % half) + within / half;
    }

    /** The Hugging Face name of a llama tensor's GGUF name. */
    static String hfName(String gguf) {
        if (!gguf.startsWith("blk.")) {
            return switch (gguf) {
                case "token_embd.weight" -> "model.embed_tokens.weight";
                case "output_norm.weight" -> "model.norm.weight";
                case "output.weight" -> "lm_head.weight";
                default -> throw new IllegalArgumentException("no Hugging Face name for " + gguf);
            };
        }
        int dot = gguf.indexOf('.', 4);
        String layer = "model.layers." + gguf.substring(4, dot) + ".";
        String rest = gguf.substring(dot + 1);
        String mapped = Map.of(
                "attn_norm.weight", "input_layernorm.weight",
                "attn_q.weight", "self_attn.q_proj.weight",
                "attn_k.weight", "self_attn.k_proj.weight",
                "attn_v.weight", "self_attn.v_proj.weight",
                "attn_output.weight", "self_attn.o_proj.weight",
                "ffn_norm.weight", "post_attention_layernorm.weight",
                "ffn_gate.weight", "mlp.gate_proj.weight",
                "ffn_up.weight", "mlp.up_proj.weight",
                "ffn_down.weight", "mlp.down_proj.weight").get(rest);
        if (mapped == null) {
            throw new IllegalArgumentException("no Hugging Face name for " + gguf);
        }
        return layer + mapped;
    }

    /**
     * A packed layer computed when the writer asks for its first tensor and dropped after its last, so only one
     * layer's packed bytes are alive at a time. The writer asks from one thread.
     */
    private static final class OnePass {
        private final Supplier<PackedLinear> compute;
        private int remaining;
        private PackedLinear value;

        OnePass(int parts, Supplier<PackedLinear> compute) {
            this.remaining = parts;
            this.compute = compute;
        }

        MemorySegment take(Function<PackedLinear, MemorySegment> part) {
            if (value == null) {
                value = compute.get();
            }
            MemorySegment bytes = part.apply(value);
            if (--remaining == 0) {
                value = null;
            }
            return bytes;
        }
    }

    private static void writeConfig(ModelShape s, Int4Quantization q, SentencePieceTokenizerJson tokenizer, Path file)
            throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("LlamaForCausalLM");
        c.put("model_type", "llama");
        c.put("hidden_size", s.embeddingLength());
        c.put("intermediate_size", s.feedForwardLength());
        c.put("num_hidden_layers", s.blockCount());
        c.put("num_attention_heads", s.headCount());
        c.put("num_key_value_heads", s.headCountKv());
        c.put("head_dim", s.headDim());
        c.put("vocab_size", s.vocabSize());
        c.put("max_position_embeddings", s.contextLength());
        c.put("rms_norm_eps", decimal(s.rmsNormEps()));
        c.put("rope_theta", decimal(s.ropeFreqBase()));
        c.putNull("rope_scaling");
        c.put("hidden_act", "silu");
        c.put("attention_bias", false);
        c.put("mlp_bias", false);
        c.put("tie_word_embeddings", s.tiedEmbeddings());
        c.put("bos_token_id", tokenizer.bosId());
        c.put("eos_token_id", tokenizer.eosId());
        c.put("initializer_range", 0.02);
        c.put("torch_dtype", "float16");
        c.put("use_cache", true);
        q.describe(c.putObject("quantization_config"));
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), c);
    }

    /** The float as its shortest decimal ({@code 1.0E-5}, not the double nearest the float). */
    private static double decimal(float f) {
        return Double.parseDouble(Float.toString(f));
    }

    private static void writeGenerationConfig(SentencePieceTokenizerJson tokenizer, Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode g = json.createObjectNode();
        g.put("bos_token_id", tokenizer.bosId());
        g.put("eos_token_id", tokenizer.eosId());
        json.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), g);
    }
}
