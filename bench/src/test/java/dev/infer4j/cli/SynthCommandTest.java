package dev.infer4j.cli;

import dev.infer4j.formats.hf.HfModelConfig;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code synth --format gptq|awq} writes a Hugging Face directory that {@code generate --model DIR} runs. */
class SynthCommandTest {
    private static final String VOCAB = SharedData.file("vocab/ggml-vocab-llama-spm.gguf").toString();

    @Test
    void gptqDirectoryLoadsAndDecodesGreedily(@TempDir Path tmp) {
        Path dir = tmp.resolve("tiny-gptq");
        CliRun r = CliRun.of("synth", "--shape", "tiny", "--format", "gptq", "--group-size", "64", "--sym",
                "--vocab", VOCAB,
                dir.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("tiny gptq g64 sym"), r.out());
        var q = HfModelConfig.read(dir).quantization();
        assertEquals(PackedLayout.GPTQ, q.layout());
        assertEquals(64, q.groupSize());
        assertTrue(q.symmetric());
        generates(dir);
    }

    @Test
    void awqDirectoryLoadsAndDecodesGreedily(@TempDir Path tmp) {
        Path dir = tmp.resolve("tiny-awq");
        CliRun r = CliRun.of("synth", "--shape", "tiny", "--format", "awq", "--vocab", VOCAB, dir.toString());
        assertEquals(0, r.status(), r.err());
        var q = HfModelConfig.read(dir).quantization();
        assertEquals(PackedLayout.AWQ_GEMM, q.layout());
        assertEquals(128, q.groupSize(), "default group size");
        generates(dir);
    }

    @Test
    void optionsOfTheOtherFormatAreRefused(@TempDir Path tmp) {
        CliRun typeWithGptq = CliRun.of("synth", "--shape", "tiny", "--format", "gptq", "--type", "Q8_0",
                "--vocab", VOCAB,
                tmp.resolve("a").toString());
        assertNotEquals(0, typeWithGptq.status());
        assertTrue(typeWithGptq.err().contains("--type applies to --format gguf"), typeWithGptq.err());
        CliRun symWithAwq = CliRun.of("synth", "--shape", "tiny", "--format", "awq", "--sym", "--vocab", VOCAB,
                tmp.resolve("b").toString());
        assertNotEquals(0, symWithAwq.status());
        assertTrue(symWithAwq.err().contains("--sym applies to GPTQ only"), symWithAwq.err());
        CliRun unknown = CliRun.of("synth", "--shape", "tiny", "--format", "exl2", "--vocab", VOCAB,
                tmp.resolve("c").toString());
        assertNotEquals(0, unknown.status());
        assertTrue(unknown.err().contains("unknown int4 format 'exl2'"), unknown.err());
        assertTrue(!Files.exists(tmp.resolve("a")) && !Files.exists(tmp.resolve("b")), "nothing written on refusal");
    }

    @Test
    void dampingOptionsAreCheckedBeforeAnythingIsWritten(@TempDir Path tmp) {
        CliRun withGptq = CliRun.of("synth", "--shape", "tiny", "--format", "gptq", "--damp-from", "1",
                "--vocab", VOCAB, tmp.resolve("a").toString());
        assertNotEquals(0, withGptq.status());
        assertTrue(withGptq.err().contains("--damp-from and --damp-scale apply to --format gguf"), withGptq.err());
        CliRun past = CliRun.of("synth", "--shape", "tiny", "--type", "F32", "--damp-from", "2", "--vocab", VOCAB,
                tmp.resolve("b.gguf").toString());
        assertNotEquals(0, past.status());
        assertTrue(past.err().contains("damping from block 2, but shape tiny has 2 blocks (0 to 1)"), past.err());
        CliRun scaleAlone = CliRun.of("synth", "--shape", "tiny", "--damp-scale", "0.1", "--vocab", VOCAB,
                tmp.resolve("c.gguf").toString());
        assertNotEquals(0, scaleAlone.status());
        assertTrue(scaleAlone.err().contains("--damp-scale needs --damp-from"), scaleAlone.err());
        CliRun badScale = CliRun.of("synth", "--shape", "tiny", "--damp-from", "1", "--damp-scale", "2",
                "--vocab", VOCAB, tmp.resolve("d.gguf").toString());
        assertNotEquals(0, badScale.status());
        assertTrue(badScale.err().contains("the damping scale must be in (0, 1], got 2.0"), badScale.err());
        assertTrue(!Files.exists(tmp.resolve("a")) && !Files.exists(tmp.resolve("b.gguf"))
                && !Files.exists(tmp.resolve("c.gguf")) && !Files.exists(tmp.resolve("d.gguf")), "nothing written");
    }

    @Test
    void dampedModelAndItsFirstBlockDraftGenerate(@TempDir Path tmp) {
        Path model = tmp.resolve("damped.gguf");
        CliRun r = CliRun.of("synth", "--shape", "tiny", "--type", "F32", "--damp-from", "1", "--damp-scale", "0.05",
                "--vocab", VOCAB, model.toString());
        assertEquals(0, r.status(), r.err());
        Path draft = tmp.resolve("draft.gguf");
        assertEquals(0, CliRun.of("draft", "-m", model.toString(), "--layers", "1", draft.toString()).status());
        CliRun plain = CliRun.of("generate", "--model", model.toString(), "-p", "Once upon a time", "-n", "12",
                "--temp", "0");
        CliRun speculated = CliRun.of("generate", "--model", model.toString(), "--draft-model", draft.toString(),
                "--draft-max", "3", "-p", "Once upon a time", "-n", "12", "--temp", "0");
        assertEquals(0, plain.status(), plain.err());
        assertEquals(0, speculated.status(), speculated.err());
        assertEquals(plain.out(), speculated.out(), "speculation keeps the greedy text");
    }

    private static void generates(Path dir) {
        CliRun gen = CliRun.of("generate", "--model", dir.toString(), "-p", "Once upon a time", "-n", "6",
                "--temp", "0");
        assertEquals(0, gen.status(), gen.err());
        assertTrue(gen.out().startsWith("Once upon a time") && gen.out().strip().length() > "Once upon a time".length(),
                "the prompt then generated text: " + gen.out());
        assertTrue(gen.err().contains("eval time") && gen.err().contains("5 runs"), gen.err());
        CliRun again = CliRun.of("generate", "--model", dir.toString(), "-p", "Once upon a time", "-n", "6",
                "--temp", "0");
        assertEquals(gen.out(), again.out(), "greedy decoding is deterministic");
    }
}
