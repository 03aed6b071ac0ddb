package dev.infer4j.cli;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DraftCommandTest {
    private static final Path TARGET = SharedData.file("models/gguf/stories260K.gguf");

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Main.run(new PrintWriter(out), new PrintWriter(err), args);
    }

    @Test
    void writesTheTargetsFirstLayersAsADraftThatGenerateAccepts(@TempDir Path dir) throws IOException {
        Path draft = dir.resolve("draft.gguf");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, run(out, err, "draft", "-m", TARGET.toString(), "--layers", "2", draft.toString()),
                err.toString());
        assertTrue(out.toString().contains("the first 2 layers of"), out.toString());
        try (GgufFile file = GgufFile.open(draft)) {
            assertEquals(2, file.getInt("llama.block_count"));
            assertTrue(file.tensors().stream().map(GgufTensorInfo::name).noneMatch(n -> n.startsWith("blk.2.")));
        }
        StringWriter text = new StringWriter();
        StringWriter timings = new StringWriter();
        int status = run(text, timings, "generate", "-m", TARGET.toString(), "-p", "Once upon a time", "-n", "12",
                "--temp", "0", "--no-warmup", "--draft-model", draft.toString(), "--draft-max", "4");
        assertEquals(0, status, timings.toString());
        assertTrue(timings.toString().matches("(?s).*speculation += [1-9]\\d* drafted.*"), timings.toString());
        StringWriter plain = new StringWriter();
        assertEquals(0, run(plain, new StringWriter(), "generate", "-m", TARGET.toString(), "-p", "Once upon a time",
                "-n", "12", "--temp", "0", "--no-warmup"));
        assertEquals(plain.toString(), text.toString(), "a draft changes the speed of greedy decoding, never its text");
    }

    @Test
    void refusesALayerCountTheTargetDoesNotHave(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        Path draft = dir.resolve("d.gguf");
        assertEquals(1, run(new StringWriter(), err, "draft", "-m", TARGET.toString(), "--layers", "6",
                draft.toString()));
        assertTrue(err.toString().contains("needs 1 to 5 layers, got 6"), err.toString());
        assertFalse(Files.exists(draft), "no draft is left behind");
    }

    @Test
    void refusesToOverwriteItsTargetOrToReadADirectory(@TempDir Path dir) throws IOException {
        Path copy = Files.copy(TARGET, dir.resolve("target.gguf"));
        StringWriter err = new StringWriter();
        assertEquals(1, run(new StringWriter(), err, "draft", "-m", copy.toString(), "--layers", "1",
                copy.toString()));
        assertTrue(err.toString().contains("would overwrite its target"), err.toString());
        assertEquals(Files.size(TARGET), Files.size(copy));
        StringWriter dirErr = new StringWriter();
        assertEquals(1, run(new StringWriter(), dirErr, "draft", "-m", dir.toString(), "--layers", "1",
                dir.resolve("d.gguf").toString()));
        assertTrue(dirErr.toString().contains("a draft is made from a GGUF file"), dirErr.toString());
    }
}
