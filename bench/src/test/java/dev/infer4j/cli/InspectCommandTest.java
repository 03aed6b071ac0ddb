package dev.infer4j.cli;

import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectCommandTest {

    @Test
    void printsMetadataAndTensorTableOfARealModel() {
        CliRun r = CliRun.of("inspect", SharedData.file("models/gguf/stories260K-Q4_0.gguf").toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("general.architecture"), r.out());
        assertTrue(r.out().matches("(?s).*blk\\.0\\.attn_q\\.weight\\s+Q4_0\\s+\\[64, 64].*"), r.out());
        assertTrue(r.out().contains("tensors, alignment 32"), r.out());
    }

    @Test
    void refusesGgufV1WithOneClearLineAndStatus1() {
        CliRun r = CliRun.of("inspect", SharedData.file("models/gguf/stories260K-gguf-v1-unsupported.gguf").toString());
        assertEquals(1, r.status());
        assertTrue(r.err().contains("GGUF version 1 is not supported"), r.err());
        assertTrue(r.err().lines().count() == 1, "one line, no stack trace: " + r.err());
    }

    @Test
    void reportsAMissingFile() {
        CliRun r = CliRun.of("inspect", "/nonexistent/model.gguf");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("no such file: /nonexistent/model.gguf"), r.err());
    }
}
