package dev.infer4j.runtime.model;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.Weight;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Binds a GGUF file's tensors to {@link ModelWeights} as the {@link ModelConfig} describes them, checking every
 * shape and type. Fused tensors (Phi-3's {@code attn_qkv} and gate/up {@code ffn_up}) and 3-D expert tensors are
 * split into row ranges of the mapped data, so the forward pass sees one layout for every architecture. A tensor
 * the architecture does not use is refused, as llama.cpp refuses it, because it means a feature this runtime does
 * not implement.
 */
public final class WeightLoader {
    private final GgufFile file;
    private final Kernels kernels;
    private final ModelConfig config;
    private final Set<String> used = new HashSet<>();

    private WeightLoader(GgufFile file, Kernels kernels, ModelConfig config) {
        this.file = file;
        this.kernels = kernels;
        this.config = config;
    }

    /**
     * Binds the weights of {@code file}.
     *
     * @throws ModelFormatException if a tensor is missing, misshapen, of a type the backend cannot compute with,
     *                              or not used by the architecture
     */
    public static ModelWeights load(GgufFile file, Kernels kernels, ModelConfig config) {
        return new WeightLoader(file, kernels, config).load();
    }

    private ModelWeights load() {
        int width = config.embeddingLength();
        GgufTensorInfo embd = file.requireTensor("token_embd.weight");
        checkShape(embd, width, config.vocabSize());
        if (!kernels.canEmbed(embd.type())) {
            throw unsupported(embd, "as an embedding table");
        }
        used.add(embd.name());
        Weight embedding = kernels.weight(embd.name(), embd.type(), file.tensorData(embd), config.vocabSize(), width);
        Weight output = file.tensor("output.weight").isPresent()
                ? matrix("output.weight", config.vocabSize(), width)
                : matrix("token_embd.weight", config.vocabSize(), width);
        Weight outputNorm = vector("output_norm.weight", width);
        file.tensor("rope_freqs.weight").ifPresent(t -> used.add(t.name()));

        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < config.layerCount(); l++) {
            layers.add(layer(l));
        }
        for (GgufTensorInfo t : file.tensors()) {
            if (!used.contains(t.name())) {
                throw new ModelFormatException(file.path(), file.dataOffset() + t.offset(), "tensor '" + t.name()
                        + "' is not used by the " + config.architecture().ggufName() + " architecture as implemented here");
            }
        }
        return new ModelWeights(embedding, outputNorm, output, layers);
    }

    private LayerWeights layer(int l) {
        String b = "blk." + l + ".";
        AttentionConfig a = config.attention();
        int width = config.embeddingLength();
        int qRows = a.headCount() * a.keyLength();
        int kRows = a.kvHeadCount() * a.keyLength();
        int vRows = a.kvHeadCount() * a.valueLength();
        Weight q;
        Weight k;
        Weight v;
        if (a.fusedQkv()) {
            String name = b + "attn_qkv.weight";
            q = rows(name, qRows + kRows + vRows, width, 0, qRows);
            k = rows(name, qRows + kRows + vRows, width, qRows, kRows);
            v = rows(name, qRows + kRows + vRows, width, qRows + kRows, vRows);
        } else {
            q = matrix(b + "attn_q.weight", qRows, width);
            k = matrix(b + "attn_k.weight", kRows, width);
            v = matrix(b + "attn_v.weight", vRows, width);
        }
        Weight qBias = a.qkvBias() ? vector(b + "attn_q.bias", qRows) : null;
        Weight kBias = a.qkvBias() ? vector(b + "attn_k.bias", kRows) : null;
        Weight vBias = a.qkvBias() ? vector(b + "attn_v.bias", vRows) : null;
        Weight qNorm = a.qkNorm() ? vector(b + "attn_q_norm.weight", a.keyLength()) : null;
        Weight kNorm = a.qkNorm() ? vector(b + "attn_k_norm.weight", a.keyLength()) : null;
        Weight attnOut = matrix(b + "attn_output.weight", width, a.headCount() * a.valueLength());
        Weight postAttnNorm = config.postNorms() ? vector(b + "post_attention_norm.weight", width) : null;
        Weight ffnNorm = vector(b + "ffn_norm.weight", width);
        Weight postFfnNorm = config.postNorms() ? vector(b + "post_ffw_norm.weight", width) : null;

        FeedForwardConfig f = config.feedForward();
        Weight gate = null;
        Weight up = null;
        Weight down = null;
        ExpertWeights experts = null;
        if (f.isMoe()) {
            experts = experts(b, f.experts());
        } else if (f.fusedGateUp()) {
            gate = rows(b + "ffn_up.weight", 2 * f.length(), width, 0, f.length());
            up = rows(b + "ffn_up.weight", 2 * f.length(), width, f.length(), f.length());
            down = matrix(b + "ffn_down.weight", width, f.length());
        } else {
            gate = matrix(b + "ffn_gate.weight", f.length(), width);
            up = matrix(b + "ffn_up.weight", f.length(), width);
            down = matrix(b + "ffn_down.weight", width, f.length());
        }
        return new LayerWeights(vector(b + "attn_norm.weight", width), q, k, v, qBias, kBias, vBias, qNorm, kNorm,
                attnOut, postAttnNorm, ffnNorm, gate, up, down, postFfnNorm, experts);
    }

    private ExpertWeights experts(String b, ExpertConfig e) {
        int width = config.embeddingLength();
        Weight router = matrix(b + "ffn_gate_inp.weight", e.count(), width);
        if (router.type() != GgmlType.F32) {
            throw new ModelFormatException(file.path(), -1, "router " + router.name() + " must be F32, found " + router.type());
        }
        List<Weight> gate = new ArrayList<>();
        List<Weight> up = new ArrayList<>();
        List<Weight> down = new ArrayList<>();
        for (int x = 0; x < e.count(); x++) {
            gate.add(expert(b + "ffn_gate_exps.weight", e.count(), x, e.length(), width));
            up.add(expert(b + "ffn_up_exps.weight", e.count(), x, e.length(), width));
            down.add(expert(b + "ffn_down_exps.weight", e.count(), x, width, e.length()));
        }
        if (e.sharedLength() == 0) {
            return new ExpertWeights(router, gate, up, down, null, null, null, null);
        }
        return new ExpertWeights(router, gate, up, down,
                matrix(b + "ffn_gate_shexp.weight", e.sharedLength(), width),
                matrix(b + "ffn_up_shexp.weight", e.sharedLength(), width),
                matrix(b + "ffn_down_shexp.weight", width, e.sharedLength()),
                matrix(b + "ffn_gate_inp_shexp.weight", 1, width));
    }

    /** A whole 2-D tensor of {@code rows} rows of {@code cols} values. */
    private Weight matrix(String name, int rows, int cols) {
        return rows(name, rows, cols, 0, rows);
    }

    /** Rows {@code first .. first+count-1} of a tensor of {@code rows} rows of {@code cols} values. */
    private Weight rows(String name, int rows, int cols, int first, int count) {
        GgufTensorInfo t = file.requireTensor(name);
        if (t.rank() == 1 && rows == 1) {
            checkShape(t, cols);
        } else {
            checkShape(t, cols, rows);
        }
        if (!kernels.canMultiply(t.type())) {
            throw unsupported(t, "for matrix products");
        }
        used.add(name);
        long rowBytes = t.type().bytesFor(cols);
        MemorySegment data = file.tensorData(t).asSlice(first * rowBytes, count * rowBytes);
        String label = count == rows ? name : name + "[" + first + ".." + (first + count - 1) + "]";
        return kernels.weight(label, t.type(), data, count, cols);
    }

    /** Expert {@code index} of a 3-D tensor holding {@code experts} matrices of {@code rows} x {@code cols}. */
    private Weight expert(String name, int experts, int index, int rows, int cols) {
        GgufTensorInfo t = file.requireTensor(name);
        checkShape(t, cols, rows, experts);
        if (!kernels.canMultiply(t.type())) {
            throw unsupported(t, "for matrix products");
        }
        used.add(name);
        long bytes = rows * t.type().bytesFor(cols);
        MemorySegment data = file.tensorData(t).asSlice(index * bytes, bytes);
        return kernels.weight(name + "[expert " + index + "]", t.type(), data, rows, cols);
    }

    /** An F32 vector of {@code length} values (a norm weight or bias). */
    private Weight vector(String name, int length) {
        GgufTensorInfo t = file.requireTensor(name);
        checkShape(t, length);
        if (t.type() != GgmlType.F32) {
            throw new ModelFormatException(file.path(), file.dataOffset() + t.offset(), "tensor '" + name
                    + "' must be F32, found " + t.type());
        }
        used.add(name);
        return kernels.weight(name, t.type(), file.tensorData(t), 1, length);
    }

    private void checkShape(GgufTensorInfo t, long... expected) {
        boolean ok = t.rank() == expected.length;
        for (int i = 0; ok && i < expected.length; i++) {
            ok = t.dim(i) == expected[i];
        }
        if (!ok) {
            throw new ModelFormatException(file.path(), file.dataOffset() + t.offset(), "tensor '" + t.name()
                    + "' has shape " + java.util.Arrays.toString(t.shape()) + ", expected "
                    + java.util.Arrays.toString(expected) + " for this " + config.architecture().ggufName() + " model");
        }
    }

    private ModelFormatException unsupported(GgufTensorInfo t, String use) {
        return new ModelFormatException(file.path(), file.dataOffset() + t.offset(), "tensor '" + t.name() + "' has type "
                + t.type() + ", which the " + kernels.name() + " backend does not support " + use);
    }
}
