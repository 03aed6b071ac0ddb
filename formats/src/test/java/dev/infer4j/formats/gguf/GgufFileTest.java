package dev.infer4j.formats.gguf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GgufFileTest {

    @Test
    void readsStories260kMetadataAndTensorTable() throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"))) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(64, f.getInt("llama.embedding_length"));
            assertEquals(5, f.getInt("llama.block_count"));
            assertEquals(512, f.require("tokenizer.ggml.tokens").arrayLength());
            GgufTensorInfo q = f.requireTensor("blk.0.attn_q.weight");
            assertArrayEquals(new long[] {64, 64}, q.shape());
            assertEquals(GgmlType.F32, q.type());
            assertEquals(64 * 64 * 4, f.tensorData(q).byteSize());
        }
    }

    @Test
    void refusesGgufVersion1WithAClearMessage() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> GgufFile.open(SharedData.file("models/gguf/stories260K-gguf-v1-unsupported.gguf")));
        assertTrue(e.getMessage().contains("GGUF version 1 is not supported"), e.getMessage());
        assertEquals(4, e.offset());
    }

    @Test
    void writeThenReadGivesIdenticalMetadataAndTensorBytes(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("copy.gguf");
        try (GgufFile original = GgufFile.open(SharedData.file("models/gguf/stories260K-Q4_0.gguf"))) {
            GgufWriter w = new GgufWriter().putAll(original.metadata());
            for (GgufTensorInfo t : original.tensors()) {
                w.addTensor(t.name(), t.type(), t.shape(), original.tensorData(t));
            }
            w.write(copy);
            try (GgufFile again = GgufFile.open(copy)) {
                assertEquals(original.metadata(), again.metadata());
                assertEquals(original.tensors(), again.tensors());
                for (GgufTensorInfo t : original.tensors()) {
                    assertEquals(-1L, original.tensorData(t).mismatch(again.tensorData(t)), "bytes of " + t.name());
                }
            }
        }
    }
}
