package dev.infer4j.formats.synth;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DraftModelTest {
    private static final Path TARGET = SharedData.file("models/synthetic/synth-llama-Q8_0.gguf");

    @Test
    void keepsFirstBlocksAndSharedTensorsByteForByte(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("draft.gguf");
        DraftModel.write(TARGET, 1, out);
        try (GgufFile target = GgufFile.open(TARGET); GgufFile draft = GgufFile.open(out)) {
            assertEquals(2, target.getInt("llama.block_count"), "the shared synthetic llama has 2 blocks");
            assertEquals(1, draft.getInt("llama.block_count"), "draft block count");
            List<String> expected = target.tensors().stream().map(GgufTensorInfo::name)
                    .filter(n -> !n.startsWith("blk.1.")).toList();
            assertEquals(expected, draft.tensors().stream().map(GgufTensorInfo::name).toList(), "draft tensors");
            for (GgufTensorInfo t : draft.tensors()) {
                GgufTensorInfo s = target.requireTensor(t.name());
                assertEquals(s.type(), t.type(), t.name() + " type");
                assertEquals(Arrays.toString(s.shape()), Arrays.toString(t.shape()), t.name() + " shape");
                long mismatch = target.tensorData(s).mismatch(draft.tensorData(t));
                assertEquals(-1, mismatch, t.name() + " differs from the target at byte " + mismatch);
            }
            for (String key : target.metadata().keySet()) {
                assertTrue(draft.metadata().containsKey(key), "draft lacks metadata " + key);
                if (!key.equals("llama.block_count") && !key.equals("general.name")) {
                    assertEquals(target.metadata().get(key), draft.metadata().get(key), "metadata " + key);
                }
            }
        }
    }

    @Test
    void rejectsMoreLayersThanTheTargetHas(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DraftModel.write(TARGET, 3, dir.resolve("d.gguf")));
        assertTrue(e.getMessage().contains("1 to 2 layers"), e.getMessage());
    }
}
