package dev.infer4j.runtime.model.hf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.hf.HfModelConfig;
import dev.infer4j.formats.hf.HfQuantization;
import dev.infer4j.formats.hf.HfQuantizedLinear;
import dev.infer4j.formats.int4.GroupQuantizedMatrix;
import dev.infer4j.formats.safetensors.SafetensorsCheckpoint;
import dev.infer4j.formats.safetensors.SafetensorsTensor;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.Weight;
import dev.infer4j.runtime.model.AttentionConfig;
import dev.infer4j.runtime.model.LayerWeights;
import dev.infer4j.runtime.model.ModelConfig;
import dev.infer4j.runtime.model.ModelWeights;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Binds a Hugging Face checkpoint's tensors ({@code model.layers.N.self_attn.q_proj.weight}, ...) to
 * {@link ModelWeights}. Float matrices (F32, F16, BF16) and GPTQ/AWQ layers are read where they lie; only norm
 * weights and biases stored in half precision are widened to F32, into {@code arena} (a few kilobytes per layer),
 * because the norm and bias kernels read F32 vectors. A tensor the model does not use is refused.
 */
final class HfWeightLoader {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SafetensorsCheckpoint checkpoint;
    private final HfModelConfig hf;
    private final ModelConfig config;
    private final Kernels kernels;
    private final Arena arena;
    private final Set<String> used = new HashSet<>();

    private HfWeightLoader(SafetensorsCheckpoint checkpoint, HfModelConfig hf, ModelConfig config, Kernels kernels,
                           Arena arena) {
        this.checkpoint = checkpoint;
        this.hf = hf;
        this.config = config;
        this.kernels = kernels;
        this.arena = arena;
    }

    /**
     * The weights of {@code checkpoint}.
     *
     * @param arena holds the F32 copies of half-precision norm weights and biases; must outlive the weights
     * @throws ModelFormatException if a tensor is missing, misshapen, of an unsupported type, or unused
     */
    static ModelWeights load(SafetensorsCheckpoint checkpoint, HfModelConfig hf, ModelConfig config, Kernels kernels,
                             Arena arena) {
        return new HfWeightLoader(checkpoint, hf, config, kernels, arena).load();
    }

    private ModelWeights load() {
        int width = config.embeddingLength();
        int vocab = config.vocabSize();
        String embedName = "model.embed_tokens.weight";
        String headName = "lm_head.weight";
        boolean hasEmbed = checkpoint.tensor(embedName).isPresent();
        boolean hasHead = checkpoint.tensor(headName).isPresent() || HfQuantizedLinear.isQuantized(checkpoint, "lm_head");
        if (!hasEmbed && !(hf.tieWordEmbeddings() && checkpoint.tensor(headName).isPresent())) {
            throw new ModelFormatException(checkpoint.directory(), -1, "missing tensor '" + embedName + "'"
                    + (hf.tieWordEmbeddings() ? " (and no tied '" + headName + "')" : ""));
        }
        // A tied checkpoint may store the shared matrix under either name (safetensors keeps one copy).
        Weight embedding = embedding(hasEmbed ? embedName : headName, vocab, width);
        Weight output;
        if (hasHead) {
            output = linear("lm_head", vocab, width);
        } else if (hf.tieWordEmbeddings()) {
            output = linear("model.embed_tokens", vocab, width);
        } else {
            throw new ModelFormatException(checkpoint.directory(), -1, "missing tensor '" + headName
                    + "' (tie_word_embeddings is false)");
        }
        Weight outputNorm = vector("model.norm.weight", width);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < config.layerCount(); l++) {
            layers.add(layer(l));
        }
        for (String name : checkpoint.tensors().keySet()) {
            if (!used.contains(name) && !name.endsWith(".rotary_emb.inv_freq")) {
                throw new ModelFormatException(checkpoint.directory(), -1, "tensor '" + name + "' is not used by the "
                        + hf.modelType() + " model as implemented here");
            }
        }
        return new ModelWeights(embedding, outputNorm, output, layers);
    }

    private LayerWeights layer(int l) {
        String b = "model.layers." + l + ".";
        AttentionConfig a = config.attention();
        int width = config.embeddingLength();
        int qRows = a.headCount() * a.keyLength();
        int kRows = a.kvHeadCount() * a.keyLength();
        int vRows = a.kvHeadCount() * a.valueLength();
        int ffn = config.feedForward().length();
        Weight q = linear(b + "self_attn.q_proj", qRows, width);
        Weight k = linear(b + "self_attn.k_proj", kRows, width);
        Weight v = linear(b + "self_attn.v_proj", vRows, width);
        Weight qBias = a.qkvBias() ? vector(b + "self_attn.q_proj.bias", qRows) : null;
        Weight kBias = a.qkvBias() ? vector(b + "self_attn.k_proj.bias", kRows) : null;
        Weight vBias = a.qkvBias() ? vector(b + "self_attn.v_proj.bias", vRows) : null;
        Weight qNorm = a.qkNorm() ? vector(b + "self_attn.q_norm.weight", a.keyLength()) : null;
        Weight kNorm = a.qkNorm() ? vector(b + "self_attn.k_norm.weight", a.keyLength()) : null;
        Weight o = linear(b + "self_attn.o_proj", width, a.headCount() * a.valueLength());
        return new LayerWeights(vector(b + "input_layernorm.weight", width), q, k, v, qBias, kBias, vBias, qNorm,
                kNorm, o, null, vector(b + "post_attention_layernorm.weight", width),
                linear(b + "mlp.gate_proj", ffn, width), linear(b + "mlp.up_proj", ffn, width),
                linear(b + "mlp.down_proj", width, ffn), null, null);
    }

    private Weight embedding(String name, int rows, int cols) {
        SafetensorsTensor t = checkpoint.require(name);
        checkShape(t, rows, cols);
        GgmlType type = floatType(t);
        if (!kernels.canEmbed(type)) {
            throw new ModelFormatException(checkpoint.directory(), -1, "tensor '" + name + "' is " + t.dtype()
                    + ", which the " + kernels.name() + " backend cannot use as an embedding table");
        }
        used.add(name);
        return kernels.weight(name, type, t.data(), rows, cols);
    }

    /** A linear layer's weight: {@code prefix.weight} in a float type, or GPTQ/AWQ tensors under {@code prefix}. */
    private Weight linear(String prefix, int rows, int cols) {
        if (HfQuantizedLinear.isQuantized(checkpoint, prefix)) {
            HfQuantization q = hf.quantization();
            if (q == null) {
                throw new ModelFormatException(hf.file(), -1, "tensor '" + prefix + ".qweight' is quantized but "
                        + "config.json has no quantization_config");
            }
            GroupQuantizedMatrix m = HfQuantizedLinear.read(checkpoint, prefix, q, rows, cols);
            if (!kernels.canMultiply(m)) {
                throw new ModelFormatException(checkpoint.directory(), -1, "'" + prefix + "' holds " + q.bits()
                        + "-bit " + q.layout() + " weights, which the " + kernels.name() + " backend cannot multiply");
            }
            used.add(prefix + ".qweight");
            used.add(prefix + ".qzeros");
            used.add(prefix + ".scales");
            if (m.groupIndex() != null) {
                used.add(prefix + ".g_idx");
            }
            return kernels.weight(m);
        }
        String name = prefix + ".weight";
        SafetensorsTensor t = checkpoint.require(name);
        checkShape(t, rows, cols);
        GgmlType type = floatType(t);
        if (!kernels.canMultiply(type)) {
            throw new ModelFormatException(checkpoint.directory(), -1, "tensor '" + name + "' is " + t.dtype()
                    + ", which the " + kernels.name() + " backend cannot multiply");
        }
        used.add(name);
        return kernels.weight(name, type, t.data(), rows, cols);
    }

    /** A norm weight or bias as an F32 vector: in place when stored as F32, else widened into the arena. */
    private Weight vector(String name, int length) {
        SafetensorsTensor t = checkpoint.require(name);
        checkShape(t, length);
        MemorySegment data = switch (floatType(t)) {
            case F32 -> t.data();
            case F16 -> widen(t, length, false);
            case BF16 -> widen(t, length, true);
            default -> throw new IllegalStateException();
        };
        used.add(name);
        return kernels.weight(name, GgmlType.F32, data, 1, length);
    }

    private MemorySegment widen(SafetensorsTensor t, int length, boolean bf16) {
        MemorySegment out = arena.allocate(ValueLayout.JAVA_FLOAT, length);
        for (int i = 0; i < length; i++) {
            short h = t.data().getAtIndex(HALF, i);
            float v = bf16 ? Float.intBitsToFloat(h << 16) : Float.float16ToFloat(h);
            out.setAtIndex(ValueLayout.JAVA_FLOAT, i, v);
        }
        return out;
    }

    private GgmlType floatType(SafetensorsTensor t) {
        return switch (t.dtype()) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default -> throw new ModelFormatException(checkpoint.directory(), -1, "tensor '" + t.name() + "' is "
                    + t.dtype() + "; expected F32, F16 or BF16");
        };
    }

    private void checkShape(SafetensorsTensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(checkpoint.directory(), -1, "tensor '" + t.name() + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(shape));
        }
    }
}
