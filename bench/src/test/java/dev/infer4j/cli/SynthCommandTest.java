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
