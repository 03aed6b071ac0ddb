package dev.infer4j.runtime.model;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.kernels.Rope;
import dev.infer4j.kernels.RopeStyle;

import java.lang.foreign.ValueLayout;

/**
 * Reads a {@link ModelConfig} from GGUF metadata: the shared keys under the architecture's prefix, plus the few
 * per-architecture switches, with llama.cpp's defaults where a key is absent.
 */
public final class ModelConfigReader {
    private static final float DEFAULT_ROPE_BASE = 10_000f;
    /** llama.cpp's {@code rope.freq_base_swa} default for Gemma 3's local layers. */
    private static final float DEFAULT_LOCAL_ROPE_BASE = 10_000f;

    private ModelConfigReader() {
    }

    /**
     * The configuration of the model in {@code file}.
     *
     * @throws ModelFormatException if the architecture is not supported or a required key is missing or invalid
     */
    public static ModelConfig read(GgufFile file) {
        String archName = file.getString("general.architecture");
        Architecture arch = Architecture.byGgufName(archName).orElseThrow(() -> new ModelFormatException(file.path(), -1,
                "unsupported architecture '" + archName + "'; supported: " + Architecture.supportedNames()));
        String p = archName + ".";
        int width = positive(file, p + "embedding_length", file.getInt(p + "embedding_length"));
        int layers = positive(file, p + "block_count", file.getInt(p + "block_count"));
        int heads = positive(file, p + "attention.head_count", file.getInt(p + "attention.head_count"));
        int kvHeads = positive(file, p + "attention.head_count_kv", file.getInt(p + "attention.head_count_kv", heads));
        if (heads % kvHeads != 0) {
            throw new ModelFormatException(file.path(), -1, heads + " attention heads cannot share " + kvHeads + " K/V heads");
        }
        int keyLength = positive(file, p + "attention.key_length", file.getInt(p + "attention.key_length", width / heads));
        int valueLength = positive(file, p + "attention.value_length", file.getInt(p + "attention.value_length", keyLength));
        GgufTensorInfo embeddings = file.requireTensor("token_embd.weight");
        int vocab = (int) embeddings.dim(1);
        float eps = file.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);

        boolean gemma = arch == Architecture.GEMMA2 || arch == Architecture.GEMMA3;
        RopeStyle style = arch == Architecture.LLAMA ? RopeStyle.NORMAL : RopeStyle.NEOX;
        Rope rope = rope(file, p, style, keyLength);
        Rope localRope = arch == Architecture.GEMMA3
                ? Rope.plain(style, rope.dims(), file.getFloat(p + "rope.freq_base_swa", DEFAULT_LOCAL_ROPE_BASE))
                : rope;

        boolean qkvBias = arch == Architecture.QWEN2 || arch == Architecture.QWEN2MOE;
        boolean qkNorm = arch == Architecture.QWEN3 || arch == Architecture.QWEN3MOE || arch == Architecture.GEMMA3;
        boolean fusedQkv = file.tensor("blk.0.attn_qkv.weight").isPresent();
        float queryScale = gemma ? gemmaQueryScale(arch, layers, width, heads, keyLength) : 0f;
        float softCap = arch == Architecture.GEMMA2 ? file.getFloat(p + "attn_logit_softcapping", 50f) : 0f;
        int window = 0;
        int pattern = 0;
        if (arch == Architecture.GEMMA2) {
            window = file.getInt(p + "attention.sliding_window", 4096);
            pattern = 2;
        } else if (arch == Architecture.GEMMA3) {
            window = file.getInt(p + "attention.sliding_window", 4096);
            pattern = file.getInt(p + "attention.sliding_window_pattern", 6);
        }
        AttentionConfig attention = new AttentionConfig(heads, kvHeads, keyLength, valueLength, rope, localRope,
                qkvBias, qkNorm, fusedQkv, queryScale, softCap, window, pattern);

        ExpertConfig experts = null;
        int expertCount = file.getInt(p + "expert_count", 0);
        if (expertCount > 0) {
            int ffn = file.getInt(p + "feed_forward_length", 0);
            experts = new ExpertConfig(expertCount, file.getInt(p + "expert_used_count"),
                    file.getInt(p + "expert_feed_forward_length", ffn),
                    arch == Architecture.QWEN2MOE ? file.getInt(p + "expert_shared_feed_forward_length", 0) : 0,
                    arch != Architecture.QWEN2MOE);
        } else if (arch == Architecture.QWEN2MOE || arch == Architecture.QWEN3MOE) {
            throw new ModelFormatException(file.path(), -1, archName + " needs " + p + "expert_count");
        }
        int ffnLength = experts == null ? positive(file, p + "feed_forward_length", file.getInt(p + "feed_forward_length"))
                : file.getInt(p + "feed_forward_length", experts.length());
        FeedForwardConfig feedForward = new FeedForwardConfig(ffnLength, gemma ? Activation.GELU : Activation.SILU,
                arch == Architecture.PHI3, experts);

        return new ModelConfig(arch, file.getString("general.name", archName), width, layers, vocab,
                file.getInt(p + "context_length", 0), eps, gemma ? (float) Math.sqrt(width) : 1f, gemma,
                arch == Architecture.GEMMA2 ? file.getFloat(p + "final_logit_softcapping", 30f) : 0f,
                attention, feedForward);
    }

    /**
     * Gemma scales Q by 1/sqrt(head length), except the 27B models (46 layers for Gemma 2, 62 for Gemma 3), which
     * llama.cpp scales by 1/sqrt(width / heads) because their query_pre_attn_scalar says so.
     */
    private static float gemmaQueryScale(Architecture arch, int layers, int width, int heads, int keyLength) {
        boolean is27b = (arch == Architecture.GEMMA2 && layers == 46) || (arch == Architecture.GEMMA3 && layers == 62);
        return (float) (1.0 / Math.sqrt(is27b ? (double) (width / heads) : keyLength));
    }

    private static Rope rope(GgufFile file, String p, RopeStyle style, int keyLength) {
        int dims = file.getInt(p + "rope.dimension_count", keyLength);
        float base = file.getFloat(p + "rope.freq_base", DEFAULT_ROPE_BASE);
        float[] factors = null;
        var freqs = file.tensor("rope_freqs.weight");
        if (freqs.isPresent()) {
            GgufTensorInfo t = freqs.get();
            if (t.type() != GgmlType.F32 || t.elementCount() != dims / 2) {
                throw new ModelFormatException(file.path(), file.dataOffset() + t.offset(), "rope_freqs.weight must be "
                        + dims / 2 + " F32 values, found " + t.elementCount() + " " + t.type());
            }
            factors = file.tensorData(t).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
        }
        String scaling = file.getString(p + "rope.scaling.type", "none");
        float factor = file.getFloat(p + "rope.scaling.factor", file.getFloat(p + "rope.scale_linear", 1f));
        return switch (scaling) {
            case "none" -> new Rope(style, dims, base, 1f, factors, 0f, 1f, 32f, 1f, 0);
            case "linear" -> new Rope(style, dims, base, 1f / factor, factors, 0f, 1f, 32f, 1f, 0);
            case "yarn" -> new Rope(style, dims, base, 1f / factor, factors,
                    file.getFloat(p + "rope.scaling.yarn_ext_factor", 1f),
                    file.getFloat(p + "rope.scaling.attn_factor", 1f),
                    file.getFloat(p + "rope.scaling.yarn_beta_fast", 32f),
                    file.getFloat(p + "rope.scaling.yarn_beta_slow", 1f),
                    file.getInt(p + "rope.scaling.original_context_length", file.getInt(p + "context_length", 0)));
            default -> throw new ModelFormatException(file.path(), -1, "unsupported rope scaling type '" + scaling
                    + "' (" + p + "rope.scaling.type); supported: none, linear, yarn");
        };
    }

    private static int positive(GgufFile file, String key, int value) {
        if (value <= 0) {
            throw new ModelFormatException(file.path(), -1, "metadata key '" + key + "' must be positive, found " + value);
        }
        return value;
    }
}
