package dev.infer4j.bench.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelBenchmarkTest {

    /**
     * The oracle is the file's own tensor table: every tensor is read once per token except the embedding table,
     * of which one row is read, unless it doubles as the output projection (tied), when it is read whole too.
     */
    private static Map<GgmlType, Long> bytesFromTensorTable(GgufFile file) {
        Map<GgmlType, Long> byType = new EnumMap<>(GgmlType.class);
        boolean tied = file.tensor("output.weight").isEmpty();
        for (GgufTensorInfo t : file.tensors()) {
            long bytes = t.name().equals("token_embd.weight") ? t.rowBytes() + (tied ? t.byteSize() : 0) : t.byteSize();
            byType.merge(t.type(), bytes, Long::sum);
        }
        return byType;
    }

    private static WeightTraffic trafficOf(String relative) throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.file(relative));
             Kernels kernels = Kernels.load(1)) {
            Model model = Model.load(file, kernels, KvCacheSpec.forPositions(16));
            WeightTraffic traffic = WeightTraffic.of(model.weights(), model.config());
            Map<GgmlType, Long> expected = bytesFromTensorTable(file);
            assertEquals(expected, traffic.bytesByType(), "bytes per token by type for " + relative);
            assertEquals(expected.values().stream().mapToLong(Long::longValue).sum(), traffic.perToken(),
                    "bytes per token for " + relative);
            return traffic;
        }
    }

    @Test
    void bytesPerTokenCountEveryLayerTheOutputAndOneEmbeddingRowOfAMixedTypeModel() throws IOException {
        WeightTraffic t = trafficOf("models/gguf/stories260K-Q4_0.gguf");
        // Here the embedding is Q4_0 over 64 columns (2 blocks of 18 bytes per row) and the output Q8_0
        // (512 rows of 2 blocks of 34 bytes) after a 64-float norm.
        assertEquals(2 * 18, t.embeddingRowBytes());
        assertEquals(512L * 2 * 34 + 64 * 4, t.outputBytes());
        assertTrue(t.bytesByType().containsKey(GgmlType.F16), "ffn_down falls back to F16: " + t.bytesByType());
    }

    @Test
    void bytesPerTokenCountATiedEmbeddingOnceAsOutputAndOnceAsARow() throws IOException {
        WeightTraffic t = trafficOf("models/gguf/TinyStories-656K-Q8_0.gguf");
        // vocab 2048 x width 128 in Q8_0: 4 blocks of 34 bytes per row; the output norm is 128 F32.
        assertEquals(4 * 34, t.embeddingRowBytes());
        assertEquals(2048L * 4 * 34 + 128 * 4, t.outputBytes());
    }

    @Test
    void aTinyRunCompletesAndReportsEveryFigure() throws IOException {
        Path model = SharedData.file("models/gguf/stories260K.gguf");
        BenchSettings settings = new BenchSettings(2, 2, 1, 1, List.of(1, 2), 3, 2, 1, 0);
        StringWriter progress = new StringWriter();
        ModelBenchReport report = ModelBenchRunner.run(model, settings, PeerFigures.none(), new PrintWriter(progress, true));

        assertEquals(2, report.prefill().tokens());
        assertEquals(2, report.decode().tokens());
        assertEquals(List.of(1, 2), report.batched().stream().map(BatchRun::sequences).toList());
        assertEquals(2 * 2, report.batched().get(1).decode().tokens(), "2 sequences x 2 steps");
        for (Rate r : List.of(report.prefill(), report.decode(), report.batched().get(0).decode(),
                report.batched().get(1).decode(), report.batched().get(1).prefill())) {
            assertEquals(1, r.tokensPerSecond().size());
            assertTrue(r.median() > 0 && Double.isFinite(r.median()), "rate " + r);
        }
        assertEquals(0.0, report.rooflineShare(), "no probe, no roofline share");
        assertEquals(report.traffic().perToken() * report.decode().median() / 1e9, report.decodeGBps(), 1e-12);

        JsonNode json = new ObjectMapper().readTree(report.toJson());
        assertEquals(report.traffic().perToken(), json.at("/bytesPerToken/total").asLong());
        assertEquals(report.decode().median(), json.at("/decode/tokensPerSecond").asDouble(), 0);
        assertEquals(2, json.at("/batched").size());
        String table = report.toTable();
        assertTrue(table.contains("decode 2 tokens") && table.contains("batched decode B=2"), table);
    }

    @Test
    void aSteppedRunDecodesItsTokensOneAtATimeThenStopsAndGivesItsBlocksBack() throws IOException {
        BenchSettings settings = new BenchSettings(20, 3, 1, 1, List.of(1), 3, 2, 1, 0);
        try (GgufFile file = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"));
             Kernels kernels = Kernels.load(1)) {
            Model model = Model.load(file, kernels, KvCacheSpec.forPositions(64));
            int free = model.kvCache().pool().freeBlocks();
            ModelBenchmark bench = new ModelBenchmark(model, settings);
            try (ModelBenchmark.SteppedRun run = bench.startSteppedRun()) {
                assertTrue(model.kvCache().pool().freeBlocks() < free, "the run holds blocks for 23 positions");
                assertTrue(run.prefillPerSecond() > 0 && Double.isFinite(run.prefillPerSecond()));
                for (int i = 0; i < 3; i++) {
                    run.step();
                }
                assertTrue(run.decodePerSecond() > 0 && Double.isFinite(run.decodePerSecond()));
                IllegalStateException e = assertThrows(IllegalStateException.class, run::step);
                assertTrue(e.getMessage().contains("all its 3 tokens"), e.getMessage());
            }
            assertEquals(free, model.kvCache().pool().freeBlocks(), "closing the run gives its blocks back");
        }
    }

    @Test
    void medianOfAnEvenCountIsTheLowerMiddleRate() {
        Rate r = new Rate(8, List.of(30.0, 10.0, 40.0, 20.0), List.of(0.1, 0.2, 0.3, 0.4));
        assertEquals(20.0, r.median());
        assertEquals(0.4, r.maxLoad());
    }
}
