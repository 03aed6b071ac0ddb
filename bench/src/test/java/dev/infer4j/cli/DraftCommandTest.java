package dev.infer4j.cli;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DraftCommandTest {
    private static final Path TARGET = SharedData.file("models/gguf/stories260K.gguf");

    @Test
    void writesTheTargetsFirstLayersAsADraftThatGenerateAccepts(@TempDir Path dir) throws IOException {
        Path draft = dir.resolve("draft.gguf");
        CliRun made = CliRun.of("draft", "-m", TARGET.toString(), "--layers", "2", draft.toString());
        assertEquals(0, made.status(), made.err());
        assertTrue(made.out().contains("the first 2 layers of"), made.out());
        try (GgufFile file = GgufFile.open(draft)) {
            assertEquals(2, file.getInt("llama.block_count"));
            assertTrue(file.tensors().stream().map(GgufTensorInfo::name).noneMatch(n -> n.startsWith("blk.2.")));
        }
        CliRun drafted = CliRun.of("generate", "-m", TARGET.toString(), "-p", "Once upon a time", "-n", "12",
                "--temp", "0", "--no-warmup", "--draft-model", draft.toString(), "--draft-max", "4");
        assertEquals(0, drafted.status(), drafted.err());
        assertTrue(drafted.err().matches("(?s).*speculation += [1-9]\\d* drafted.*"), drafted.err());
        CliRun plain = CliRun.of("generate", "-m", TARGET.toString(), "-p", "Once upon a time", "-n", "12",
                "--temp", "0", "--no-warmup");
        assertEquals(0, plain.status(), plain.err());
        assertEquals(plain.out(), drafted.out(), "a draft changes the speed of greedy decoding, never its text");
    }

    @Test
    void refusesALayerCountTheTargetDoesNotHave(@TempDir Path dir) {
        Path draft = dir.resolve("d.gguf");
        CliRun r = CliRun.of("draft", "-m", TARGET.toString(), "--layers", "6", draft.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("needs 1 to 5 layers, got 6"), r.err());
        assertFalse(Files.exists(draft), "no draft is left behind");
    }

    @Test
    void refusesToOverwriteItsTargetOrToReadADirectory(@TempDir Path dir) throws IOException {
        Path copy = Files.copy(TARGET, dir.resolve("target.gguf"));
        CliRun itself = CliRun.of("draft", "-m", copy.toString(), "--layers", "1", copy.toString());
        assertEquals(1, itself.status());
        assertTrue(itself.err().contains("would overwrite its target"), itself.err());
        assertEquals(Files.size(TARGET), Files.size(copy));
        CliRun directory = CliRun.of("draft", "-m", dir.toString(), "--layers", "1", dir.resolve("d.gguf").toString());
        assertEquals(1, directory.status());
        assertTrue(directory.err().contains("a draft is made from a GGUF file"), directory.err());
    }
}
