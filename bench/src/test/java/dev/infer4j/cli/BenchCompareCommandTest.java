package dev.infer4j.cli;

import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchCompareCommandTest {

    @Test
    void comparesAGgufFileAndAHuggingFaceDirectoryInOneProcess() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String gguf = SharedData.file("models/gguf/TinyStories-656K-requant-Q4_0.gguf").toString();
        String awq = SharedData.file("models/safetensors/TinyStories-656K-AWQ-4bit-g128-gemm-RTN").toString();
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), "bench", "compare", "-m", gguf, "-m", awq,
                "--prompt-tokens", "3", "--gen-tokens", "2", "--threads", "1", "--rounds", "2");
        assertEquals(0, status, err.toString());
        String table = out.toString();
        assertTrue(table.contains("2 models in one process, 2 rounds"), table);
        String baseRow = table.lines().filter(l -> l.startsWith(gguf)).findFirst().orElseThrow();
        assertTrue(baseRow.contains("1.00 (1.00-1.00)"), baseRow);
        String awqRow = table.lines().filter(l -> l.startsWith(awq)).findFirst().orElseThrow();
        assertTrue(awqRow.contains("AWQ_GEMM 4-bit g128"), awqRow);
        assertTrue(err.toString().contains("2 rounds of prefill 3 + decode 2 tokens"), err.toString());
    }

    @Test
    void refusesASingleModel() {
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench", "compare", "-m",
                SharedData.file("models/gguf/stories260K.gguf").toString());
        assertEquals(1, status);
        assertTrue(err.toString().contains("bench compare needs at least two --model options, got 1"), err.toString());
    }
}
