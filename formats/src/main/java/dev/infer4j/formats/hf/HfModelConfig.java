package dev.infer4j.formats.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.infer4j.formats.ModelFormatException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The keys of a {@code config.json} that shape a decoder-only model of the Llama family (Llama, Mistral, Qwen 2,
 * Qwen 3), with Hugging Face's defaults where a key is absent.
 *
 * @param file               the {@code config.json}
 * @param modelType          {@code model_type}
 * @param architectures      {@code architectures} (e.g. {@code LlamaForCausalLM})
 * @param hiddenSize         width of the residual stream
 * @param intermediateSize   hidden width of the MLP
 * @param layers             {@code num_hidden_layers}
 * @param heads              query heads
 * @param kvHeads            K/V heads ({@code num_key_value_heads}, default {@code heads})
 * @param headDim            values per head ({@code head_dim}, default {@code hiddenSize / heads})
 * @param vocabSize          rows of the embedding table
 * @param maxPositions       {@code max_position_embeddings}
 * @param rmsNormEps         RMSNorm epsilon
 * @param ropeTheta          RoPE frequency base
 * @param partialRotary      fraction of each head that RoPE rotates ({@code partial_rotary_factor}, default 1)
 * @param ropeScaling        {@code rope_scaling}, or null
 * @param tieWordEmbeddings  the output projection is the embedding table
 * @param attentionBias      Q/K/V/O projections carry biases ({@code attention_bias})
 * @param mlpBias            MLP projections carry biases ({@code mlp_bias})
 * @param hiddenAct          the MLP gate activation ({@code hidden_act})
 * @param slidingWindow      the attention window when {@code use_sliding_window} (Qwen 2) or {@code sliding_window}
 *                           (Mistral) is set, else 0
 * @param quantization       {@code quantization_config}, or null for a float checkpoint
 */
public record HfModelConfig(Path file, String modelType, List<String> architectures, int hiddenSize,
                            int intermediateSize, int layers, int heads, int kvHeads, int headDim, int vocabSize,
                            int maxPositions, float rmsNormEps, float ropeTheta, float partialRotary,
                            HfRopeScaling ropeScaling, boolean tieWordEmbeddings, boolean attentionBias,
                            boolean mlpBias, String hiddenAct, int slidingWindow, HfQuantization quantization) {

    /** The config file of a model directory. */
    public static final String FILE = "config.json";
    /** AutoGPTQ's separate quantization settings, read when {@code config.json} has no {@code quantization_config}. */
    public static final String GPTQ_QUANTIZE_CONFIG = "quantize_config.json";

    /** Copies the list. */
    public HfModelConfig {
        architectures = List.copyOf(architectures);
    }

    /**
     * Reads {@code directory/config.json} (and {@code quantize_config.json} when the config names no quantization).
     *
     * @throws ModelFormatException if a file is missing or malformed, or a key has an invalid or unsupported value
     */
    public static HfModelConfig read(Path directory) {
        Path file = directory.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file, -1, "no config.json in the model directory");
        }
        HfJson c = HfJson.read(file);
        String modelType = c.stringOr("model_type", "");
        List<String> architectures = new ArrayList<>();
        JsonNode archs = c.root().get("architectures");
        if (archs != null && archs.isArray()) {
            archs.forEach(a -> architectures.add(a.asText()));
        }
        int hidden = c.positive("hidden_size");
        int heads = c.positive("num_attention_heads");
        int kvHeads = c.has("num_key_value_heads") ? c.positive("num_key_value_heads") : heads;
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(file, -1, heads + " attention heads cannot share " + kvHeads + " K/V heads");
        }
        int headDim = c.has("head_dim") ? c.positive("head_dim") : hidden / heads;
        float eps = c.floatOr("rms_norm_eps", 1e-6f);
        int window = 0;
        if (c.boolOr("use_sliding_window", modelType.equals("mistral")) && c.has("sliding_window")) {
            window = c.positive("sliding_window");
        }
        HfQuantization quantization = null;
        HfJson q = c.child("quantization_config");
        if (q != null) {
            quantization = HfQuantization.read(q, "quantization_config.", null);
        } else if (Files.isRegularFile(directory.resolve(GPTQ_QUANTIZE_CONFIG))) {
            quantization = HfQuantization.read(HfJson.read(directory.resolve(GPTQ_QUANTIZE_CONFIG)), "", "gptq");
        }
        return new HfModelConfig(file, modelType, architectures, hidden, c.positive("intermediate_size"),
                c.positive("num_hidden_layers"), heads, kvHeads, headDim, c.positive("vocab_size"),
                c.intOr("max_position_embeddings", 0), eps, c.floatOr("rope_theta", 10_000f),
                c.floatOr("partial_rotary_factor", 1f), HfRopeScaling.read(c.child("rope_scaling")),
                c.boolOr("tie_word_embeddings", false), c.boolOr("attention_bias", false), c.boolOr("mlp_bias", false),
                c.stringOr("hidden_act", c.stringOr("hidden_activation", "silu")), window, quantization);
    }

    /** The directory holding the config. */
    public Path directory() {
        return file.getParent();
    }
}
