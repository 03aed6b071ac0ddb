package dev.infer4j.formats.synth;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.formats.gguf.GgufValue;
import dev.infer4j.formats.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a draft model for speculative decoding made from a target model's first layers: the same metadata
 * (with the block count lowered), the same embeddings, final norm and output head, and blocks
 * {@code 0 .. layers-1}, every tensor copied byte for byte from the target.
 *
 * <p>The draft shares the target's vocabulary and the prefix of its computation, so its predictions are the
 * target's "early exit". Tensors are streamed from the target's mapping to the output one at a time.
 */
public final class DraftModel {
    private DraftModel() {
    }

    /**
     * Writes the draft.
     *
     * @param target a GGUF whose {@code general.architecture} has {@code <arch>.block_count} blocks
     * @param layers blocks to keep, 1 to the target's block count
     * @param out    the draft file, replaced if present
     * @throws IllegalArgumentException if {@code layers} is out of range
     * @throws ModelFormatException     if the target has no architecture or block count
     */
    public static void write(Path target, int layers, Path out) throws IOException {
        try (GgufFile source = GgufFile.open(target)) {
            String arch = source.getString("general.architecture");
            String blockKey = arch + ".block_count";
            int blocks = source.getInt(blockKey);
            if (layers < 1 || layers > blocks) {
                throw new IllegalArgumentException("draft of " + target + " needs 1 to " + blocks
                        + " layers, got " + layers);
            }
            GgufWriter writer = new GgufWriter();
            writer.putAll(source.metadata());
            writer.put(blockKey, GgufValue.ofUInt32(layers));
            writer.put("general.name", GgufValue.ofString(source.getString("general.name", arch)
                    + " first " + layers + " of " + blocks + " layers"));
            for (GgufTensorInfo t : source.tensors()) {
                if (keeps(t.name(), layers)) {
                    writer.addTensor(t.name(), t.type(), t.shape(), () -> source.tensorData(t));
                }
            }
            writer.write(out);
        }
    }

    private static boolean keeps(String tensor, int layers) {
        if (!tensor.startsWith("blk.")) {
            return true;
        }
        int end = tensor.indexOf('.', 4);
        int block = Integer.parseInt(tensor.substring(4, end < 0 ? tensor.length() : end));
        return block < layers;
    }
}
