package dev.infer4j.bench.spec;

import dev.infer4j.formats.synth.DraftModel;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tiny end-to-end runs; no timing is asserted, only that the counts are consistent. */
class SpecBenchRunnerTest {
    private static final SpecBenchSettings TINY = new SpecBenchSettings(2, 2, 2, 1, 1);

    @Test
    void tinyRunReportsEveryMethodAgainstTheBaseline() throws IOException {
        Path target = SharedData.file("models/gguf/stories260K.gguf");
        Path draft = SharedData.file("models/gguf/stories260K-Q4_0.gguf");
        SpecBenchReport report = SpecBenchRunner.run(target, draft, true, TINY, new PrintWriter(new StringWriter()));
        List<SpecMethod> methods = report.rows().stream().map(SpecRow::method).toList();
        assertEquals(List.of(SpecMethod.NONE, SpecMethod.DRAFT, SpecMethod.NGRAM), methods, "rows");
        SpecRow drafted = report.rows().get(1);
        assertEquals(2, drafted.k(), "K of the draft row");
        assertTrue(drafted.alpha() >= 0 && drafted.alpha() <= 1, "alpha out of range: " + drafted.alpha());
        assertTrue(drafted.c() > 0, "a draft forward costs something, c = " + drafted.c());
        assertTrue(drafted.tokensPerStep() >= 1 && drafted.tokensPerStep() <= 3,
                "tokens per step must lie in [1, K+1]: " + drafted.tokensPerStep());
        assertEquals(0, report.rows().get(2).c(), "n-gram lookup runs no model");
        assertEquals(1.0, report.rows().get(0).measuredSpeedup(), "the baseline against itself");
        for (SpecRow row : report.rows()) {
            assertTrue(row.measuredSpeedup() > 0 && Double.isFinite(row.measuredSpeedup()),
                    row.method() + ": a same-round ratio of two rates, " + row.measuredSpeedup());
        }
        assertTrue(report.toTable().contains("draft"), report.toTable());
    }

    @Test
    void draftWithEveryLayerOfTheTargetIsAlwaysAccepted(@TempDir Path dir) throws IOException {
        Path target = SharedData.file("models/synthetic/synth-llama-Q8_0.gguf");
        Path whole = dir.resolve("whole.gguf");
        DraftModel.write(target, 2, whole);
        SpecBenchSettings settings = new SpecBenchSettings(4, 6, 2, 1, 1);
        SpecBenchReport report = SpecBenchRunner.run(target, whole, false, settings, new PrintWriter(new StringWriter()));
        SpecRow row = report.rows().get(1);
        assertEquals(1.0, row.alpha(), "a draft identical to the target must have every proposal accepted");
    }

    @Test
    void truncatedDraftLoadsAndRuns(@TempDir Path dir) throws IOException {
        Path target = SharedData.file("models/synthetic/synth-llama-Q8_0.gguf");
        Path draft = dir.resolve("draft.gguf");
        DraftModel.write(target, 1, draft);
        SpecBenchReport report = SpecBenchRunner.run(target, draft, false, new SpecBenchSettings(4, 6, 2, 1, 1),
                new PrintWriter(new StringWriter()));
        SpecRow row = report.rows().get(1);
        assertTrue(row.alpha() >= 0 && row.alpha() <= 1, "alpha out of range: " + row.alpha());
        assertTrue(row.tokensPerStep() >= 1, "tokens per step below 1: " + row.tokensPerStep());
    }
}
