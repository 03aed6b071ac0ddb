package dev.infer4j.runtime.model.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.formats.int4.GptqPacker;
import dev.infer4j.formats.int4.PackedMatrix;
import dev.infer4j.formats.safetensors.SafetensorsCheckpoint;
import dev.infer4j.formats.safetensors.SafetensorsDType;
import dev.infer4j.formats.safetensors.SafetensorsTensor;
import dev.infer4j.formats.safetensors.SafetensorsWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A float Hugging Face checkpoint with every linear layer (q/k/v/o, gate/up/down) quantized by
 * {@link GptqPacker} with act-order, as AutoGPTQ's {@code desc_act} does: each matrix's columns are visited in a
 * permuted order (here a seeded random one, standing in for the Hessian-diagonal order), and column {@code c}
 * lands in group {@code position(c) / groupSize}. It writes two model directories: the GPTQ checkpoint (v1,
 * {@code desc_act: true}) and its twin, a float checkpoint whose linear weights are the exact dequantized values
 * of the packed ones ({@link GptqV1Dequantizer}). Embeddings, norms and the output matrix are copied unchanged.
 */
final class ActOrderGptqFixture {
    private static final int BITS = 4;
    private static final Pattern LINEAR =
            Pattern.compile("model\\.layers\\.\\d+\\.(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.weight");
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final String[] SIDE_FILES = {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json"};

    /** One quantized layer: what the packer stored, and the weights it started from. */
    record Layer(PackedMatrix packed, float[] original) {
        /** The dequantized weights the file means, decoded independently of the runtime. */
        float[] dequantized() {
            return GptqV1Dequantizer.dequantize(packed.bits(), packed.rows(), packed.cols(), packed.qweight(),
                    packed.qzeros(), packed.scales(), packed.groupIndex());
        }
    }

    private final Path source;
    private final int groupSize;
    private final boolean symmetric;
    private final Map<String, Layer> layers;

    private ActOrderGptqFixture(Path source, int groupSize, boolean symmetric, Map<String, Layer> layers) {
        this.source = source;
        this.groupSize = groupSize;
        this.symmetric = symmetric;
        this.layers = layers;
    }

    /** Quantizes every linear layer of the float checkpoint in {@code source}, one seeded permutation per layer. */
    static ActOrderGptqFixture quantize(Path source, int groupSize, boolean symmetric, long seed) throws IOException {
        Map<String, Layer> layers = new LinkedHashMap<>();
        Random random = new Random(seed);
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(source)) {
            for (SafetensorsTensor t : checkpoint.tensors().values()) {
                if (!LINEAR.matcher(t.name()).matches()) {
                    continue;
                }
                if (t.dtype() != SafetensorsDType.F32 || t.rank() != 2) {
                    throw new IllegalStateException(t + ": expected a 2-D F32 weight");
                }
                int rows = (int) t.dim(0);
                int cols = (int) t.dim(1);
                float[] w = new float[rows * cols];
                MemorySegment.copy(t.data(), F32, 0, w, 0, w.length);
                int[] gIdx = actOrderGroups(random, cols, groupSize);
                PackedMatrix packed = GptqPacker.pack(w, rows, cols, BITS, groupSize, symmetric, gIdx, true);
                layers.put(t.name().substring(0, t.name().length() - ".weight".length()), new Layer(packed, w));
            }
        }
        return new ActOrderGptqFixture(source, groupSize, symmetric, layers);
    }

    /** AutoGPTQ's act-order grouping for a column visiting order {@code perm}: {@code g_idx[perm[i]] = i / gs}. */
    private static int[] actOrderGroups(Random random, int cols, int groupSize) {
        int[] perm = new int[cols];
        for (int i = 0; i < cols; i++) {
            perm[i] = i;
        }
        for (int i = cols - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = perm[i];
            perm[i] = perm[j];
            perm[j] = swap;
        }
        int[] gIdx = new int[cols];
        for (int i = 0; i < cols; i++) {
            gIdx[perm[i]] = i / groupSize;
        }
        return gIdx;
    }

    /** The quantized layers by tensor prefix ({@code model.layers.0.self_attn.q_proj}, ...). */
    Map<String, Layer> layers() {
        return layers;
    }

    /** Inputs per group. */
    int groupSize() {
        return groupSize;
    }

    /**
     * Writes the GPTQ model directory, storing {@code edit(g_idx)} as each layer's {@code g_idx} (the identity for
     * the true checkpoint; anything else corrupts it on purpose).
     */
    void writeGptq(Path dir, UnaryOperator<int[]> edit) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(source.resolve("config.json").toFile());
        ObjectNode q = config.putObject("quantization_config");
        q.put("quant_method", "gptq");
        q.put("bits", BITS);
        q.put("group_size", groupSize);
        q.put("desc_act", true);
        q.put("sym", symmetric);
        q.put("static_groups", false);
        q.put("checkpoint_format", "gptq");
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        try (Arena arena = Arena.ofConfined(); SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(source)) {
            SafetensorsWriter out = new SafetensorsWriter();
            for (SafetensorsTensor t : checkpoint.tensors().values()) {
                Layer layer = layers.get(prefixOf(t.name()));
                if (layer == null) {
                    out.add(t.name(), t.dtype(), t.shape(), t.data());
                    continue;
                }
                PackedMatrix p = layer.packed();
                String prefix = prefixOf(t.name());
                int[] gIdx = edit.apply(p.groupIndex().clone());
                MemorySegment gIdxBytes = arena.allocate(4L * gIdx.length, 4);
                MemorySegment.copy(gIdx, 0, gIdxBytes, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
                        0, gIdx.length);
                out.add(prefix + ".qweight", SafetensorsDType.I32, p.qweightShape(), p.qweightBytes(arena));
                out.add(prefix + ".qzeros", SafetensorsDType.I32, p.qzerosShape(), p.qzerosBytes(arena));
                out.add(prefix + ".scales", SafetensorsDType.F16, p.scalesShape(), p.scalesBytes(arena));
                out.add(prefix + ".g_idx", SafetensorsDType.I32, new long[]{p.cols()}, gIdxBytes);
            }
            out.write(dir.resolve(SafetensorsCheckpoint.SINGLE));
        }
        copySideFiles(dir);
    }

    /** Writes the float twin: the source checkpoint with each linear weight replaced by its dequantized values. */
    void writeTwin(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.copy(source.resolve("config.json"), dir.resolve("config.json"));
        try (Arena arena = Arena.ofConfined(); SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(source)) {
            SafetensorsWriter out = new SafetensorsWriter();
            for (SafetensorsTensor t : checkpoint.tensors().values()) {
                Layer layer = layers.get(prefixOf(t.name()));
                if (layer == null) {
                    out.add(t.name(), t.dtype(), t.shape(), t.data());
                    continue;
                }
                float[] w = layer.dequantized();
                MemorySegment bytes = arena.allocate(4L * w.length, 4);
                MemorySegment.copy(w, 0, bytes, F32, 0, w.length);
                out.add(t.name(), SafetensorsDType.F32, t.shape(), bytes);
            }
            out.write(dir.resolve(SafetensorsCheckpoint.SINGLE));
        }
        copySideFiles(dir);
    }

    private static String prefixOf(String name) {
        return LINEAR.matcher(name).matches() ? name.substring(0, name.length() - ".weight".length()) : name;
    }

    private void copySideFiles(Path dir) throws IOException {
        for (String file : SIDE_FILES) {
            Files.copy(source.resolve(file), dir.resolve(file));
        }
    }
}
