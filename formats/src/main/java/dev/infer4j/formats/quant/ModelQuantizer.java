package dev.infer4j.formats.quant;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.formats.gguf.GgufValue;
import dev.infer4j.formats.gguf.GgufWriter;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantizes a GGUF model the way {@code llama-quantize} does without an importance matrix: every metadata entry
 * is copied ({@code general.quantization_version} and {@code general.file_type} set last), each tensor gets the
 * type {@link TensorTypePlan} chooses, tensors already of that type are copied byte for byte, the others are
 * dequantized and quantized again. Tensors are written in llama.cpp's order, one at a time, each quantized on
 * all cores, so memory holds one output tensor, never the model.
 *
 * <p>Unlike {@code llama-quantize}, re-quantizing an already quantized input needs no extra flag.
 */
public final class ModelQuantizer {
    /** ggml's {@code GGML_QNT_VERSION}. */
    public static final int QUANTIZATION_VERSION = 2;

    private ModelQuantizer() {
    }

    /**
     * Quantizes {@code in} into {@code out} with llama.cpp's per-tensor rules for {@code target}.
     *
     * @param target a {@link QuantTarget} name: a type ({@code Q4_0}, {@code Q8_0}, {@code F16}, ...) or a mix
     *               ({@code Q4_K_M}, {@code Q5_K_M}, ...)
     * @throws IllegalArgumentException if the target is unknown
     * @throws ModelFormatException     if the input is not a usable GGUF model
     */
    public static void quantize(Path in, Path out, String target) throws IOException {
        quantize(in, out, target, false);
    }

    /**
     * Same as {@link #quantize(Path, Path, String)}; with {@code pure} every quantizable tensor gets the
     * target's base type (llama-quantize's {@code --pure}), shape fallbacks aside.
     */
    public static void quantize(Path in, Path out, String target, boolean pure) throws IOException {
        QuantTarget t = QuantTarget.parse(target);
        try (GgufFile file = GgufFile.open(in)) {
            TensorTypePlan plan = TensorTypePlan.of(t, pure, facts(file), specs(file));
            GgufWriter writer = new GgufWriter().putAll(metadata(file, t));
            for (TensorTypePlan.TensorSpec spec : plan.order()) {
                GgufTensorInfo info = file.requireTensor(spec.name());
                GgmlType type = plan.typeOf(spec.name());
                writer.addTensor(info.name(), type, info.shape(), () -> convert(file, info, type));
            }
            writer.write(out);
        }
    }

    private static Map<String, GgufValue> metadata(GgufFile file, QuantTarget target) {
        Map<String, GgufValue> kv = new LinkedHashMap<>(file.metadata());
        kv.remove("general.quantization_version");
        kv.remove("general.file_type");
        kv.put("general.quantization_version", GgufValue.ofUInt32(QUANTIZATION_VERSION));
        kv.put("general.file_type", GgufValue.ofUInt32(target.fileType()));
        return kv;
    }

    private static List<TensorTypePlan.TensorSpec> specs(GgufFile file) {
        List<TensorTypePlan.TensorSpec> specs = new ArrayList<>();
        for (GgufTensorInfo t : file.tensors()) {
            specs.add(new TensorTypePlan.TensorSpec(t.name(), t.shape(), t.type()));
        }
        return specs;
    }

    private static TensorTypePlan.ModelFacts facts(GgufFile file) {
        String arch = file.getString("general.architecture");
        int heads = firstInt(file, arch + ".attention.head_count");
        int kvHeads = file.get(arch + ".attention.head_count_kv").isPresent()
                ? firstInt(file, arch + ".attention.head_count_kv") : heads;
        return new TensorTypePlan.ModelFacts(file.getInt(arch + ".block_count"), heads, kvHeads,
                file.getInt(arch + ".expert_count", 0));
    }

    /** A per-model integer that some architectures store per layer (then llama.cpp uses layer 0's). */
    private static int firstInt(GgufFile file, String key) {
        GgufValue v = file.get(key).orElse(null);
        if (v == null) {
            return 0;
        }
        return v.elementType() != null ? v.asIntArray()[0] : file.getInt(key);
    }

    private static MemorySegment convert(GgufFile file, GgufTensorInfo info, GgmlType type) {
        MemorySegment src = file.tensorData(info);
        if (info.type() == type) {
            return src;
        }
        if (!Dequantize.supports(info.type())) {
            throw new ModelFormatException(file.path(), file.dataOffset() + info.offset(), "tensor '" + info.name()
                    + "' has type " + info.type() + ", which cannot be converted to " + type);
        }
        int cols = Math.toIntExact(info.dim(0));
        long rows = info.elementCount() / cols;
        long srcRowBytes = info.rowBytes();
        return ParallelQuantizer.quantize(type, rows, cols, (first, count, into) -> {
            for (int r = 0; r < count; r++) {
                Dequantize.row(info.type(), src, (first + r) * srcRowBytes, into, r * cols, cols);
            }
        });
    }
}
