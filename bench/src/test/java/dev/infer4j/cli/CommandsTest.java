package dev.infer4j.cli;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tokenize, quantize, synth and generate commands, checked against llama.cpp's files and outputs. */
class CommandsTest {

    @Test
    void tokenizePrintsLlamaCppsIds() {
        CliRun r = CliRun.of("tokenize", "--ids", "--no-bos", "-m",
                SharedData.file("models/gguf/stories260K.gguf").toString(),
                "Once upon a time");
        assertEquals(0, r.status(), r.err());
        assertEquals("[403, 407, 261, 378]", r.out().strip());
        CliRun pieces = CliRun.of("tokenize", "-m", SharedData.file("models/gguf/stories260K.gguf").toString(), "Once");
        assertTrue(pieces.out().contains("     1 -> '<s>'") && pieces.out().contains("403 -> ' Once'"), pieces.out());
    }

    @Test
    void quantizeReproducesLlamaQuantizesFile(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("q8.gguf");
        CliRun r = CliRun.of("quantize", SharedData.file("models/gguf/stories260K.gguf").toString(),
                out.toString(), "Q8_0");
        assertEquals(0, r.status(), r.err());
        try (GgufFile ours = GgufFile.open(out);
             GgufFile theirs = GgufFile.open(SharedData.file("models/gguf/stories260K-Q8_0.gguf"))) {
            for (GgufTensorInfo t : theirs.tensors()) {
                GgufTensorInfo mine = ours.requireTensor(t.name());
                assertEquals(t.type(), mine.type(), t.name());
                assertEquals(-1L, theirs.tensorData(t).mismatch(ours.tensorData(mine)), "bytes of " + t.name());
            }
        }
    }

    @Test
    void synthWritesALoadableModelOfTheShape(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("tiny.gguf");
        CliRun r = CliRun.of("synth", "--shape", "tiny", "--type", "Q4_0", "--vocab",
                SharedData.file("vocab/ggml-vocab-llama-spm.gguf").toString(), out.toString());
        assertEquals(0, r.status(), r.err());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(256, f.getInt("llama.embedding_length"));
            assertEquals("Q4_0", f.requireTensor("blk.0.attn_q.weight").type().name());
        }
        CliRun gen = CliRun.of("generate", "-m", out.toString(), "-p", "Hello", "-n", "4", "--temp", "0");
        assertEquals(0, gen.status(), gen.err());
        assertTrue(gen.err().contains("eval time"), gen.err());
    }

    @Test
    void generateStreamsLlamaCppsGreedyContinuationAndTimings() {
        CliRun r = CliRun.of("generate", "-m", SharedData.file("models/gguf/stories260K.gguf").toString(), "-p",
                "Once upon a time", "-n", "12", "--temp", "0");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("Once upon a time, there was a little girl named Lily."), r.out());
        assertTrue(r.err().contains("prompt eval time") && r.err().contains("tokens per second"), r.err());
    }

    @Test
    void badInputGivesOneLineAndStatus1() {
        CliRun r = CliRun.of("quantize", "/nonexistent.gguf", "/tmp/x.gguf", "Q4_0");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("infer4j quantize: no such file"), r.err());
        CliRun type = CliRun.of("generate", "-m",
                SharedData.file("models/gguf/stories260K-gguf-v1-unsupported.gguf").toString(),
                "-p", "x");
        assertEquals(1, type.status());
        assertTrue(type.err().contains("GGUF version 1 is not supported"), type.err());
    }
}
