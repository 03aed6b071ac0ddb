package dev.infer4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchModelCommandTest {

    @Test
    void benchModelPrintsATableWritesJsonAndComparesWithPeerFigures(@TempDir Path dir) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path json = dir.resolve("report.json");
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), "bench", "model",
                "--model", SharedData.file("models/gguf/stories260K.gguf").toString(),
                "--prompt-tokens", "2", "--gen-tokens", "2", "--threads", "1", "--repeat", "1",
                "--batch-sizes", "2", "--batch-prompt-tokens", "2", "--batch-steps", "2", "--probe-mib", "0",
                "--peer-decode", "100", "--peer-batched", "150", "--json", json.toString());
        assertEquals(0, status, err.toString());
        assertTrue(out.toString().contains("batched decode B=2"), out.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals(report.at("/decode/tokensPerSecond").asDouble() / 100, report.at("/decode/ratioToPeer").asDouble(), 1e-9);
        assertEquals(150, report.at("/batched/0/decode/peerTokensPerSecond").asDouble());
    }

    @Test
    void refusesPeerBatchFiguresThatDoNotMatchTheBatchSizes() {
        StringWriter err = new StringWriter();
        int status = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench", "model",
                "--model", SharedData.file("models/gguf/stories260K.gguf").toString(), "--batch-sizes", "1,4",
                "--peer-batched", "60");
        assertEquals(1, status);
        assertTrue(err.toString().contains("--peer-batched has 1 figures for 2 batch sizes"), err.toString());
    }

    @Test
    void benchModelRunsAGptqDirectoryAndCountsItsPackedBytes(@TempDir Path dir) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path json = dir.resolve("report.json");
        int status = Main.run(new PrintWriter(out), new PrintWriter(err), "bench", "model",
                "--model", SharedData.file("models/safetensors/TinyStories-656K-GPTQ-4bit-g128-sym-RTN").toString(),
                "--prompt-tokens", "2", "--gen-tokens", "2", "--threads", "1", "--repeat", "1",
                "--batch-sizes", "0", "--probe-mib", "0", "--json", json.toString());
        assertEquals(0, status, err.toString());
        assertTrue(out.toString().contains("GPTQ 4-bit g128 x14"), out.toString());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        // 2 layers of q,k,v,o (128x128, 64x128 twice, 128x128) and gate, up, down (128x384): 4-bit words plus
        // one F16 scale and one 4-bit zero per group of 128 per output, so well under the F32 bytes of the same
        long f32Bytes = 2L * 4 * (128 * 128 * 2 + 64 * 128 * 2 + 3 * 128 * 384);
        long layers = report.at("/bytesPerToken/layers").asLong();
        assertTrue(layers > f32Bytes / 9 && layers < f32Bytes / 6, "layer bytes " + layers + " against F32 " + f32Bytes);
    }
}
