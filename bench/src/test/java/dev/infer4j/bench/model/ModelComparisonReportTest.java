package dev.infer4j.bench.model;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelComparisonReportTest {

    private static Rate rate(double... perSecond) {
        double[] loads = new double[perSecond.length];
        java.util.Arrays.fill(loads, 1.5);
        return Rate.of(64, perSecond, loads);
    }

    private static ModelComparisonReport.Entry entry(String path, Rate prefill, Rate decode) {
        return new ModelComparisonReport.Entry(path, "Q4_0 x155", prefill, decode);
    }

    @Test
    void ratiosAreTakenRoundByRoundAgainstTheFirstModel() {
        // the machine slows down in round 2 for both: separate medians say 0.9x, the rounds say 1.25x every time
        ModelComparisonReport report = new ModelComparisonReport(List.of(
                entry("base.gguf", rate(40, 20, 40), rate(20, 10, 20)),
                entry("awq", rate(50, 25, 50), rate(25, 12.5, 25))), "cpu", 2, 128, 64);
        assertEquals(3, report.rounds());
        assertEquals(List.of(1.0, 1.0, 1.0), report.decodeRatios(0));
        assertEquals(List.of(1.25, 1.25, 1.25), report.decodeRatios(1));
        assertEquals(List.of(1.25, 1.25, 1.25), report.prefillRatios(1));
    }

    @Test
    void theMedianRatioIsTheLowerMiddleOne() {
        assertEquals(0.9, ModelComparisonReport.median(List.of(1.2, 0.8, 0.9, 1.1)));
        assertEquals(1.0, ModelComparisonReport.median(List.of(3.0, 1.0, 0.5)));
    }

    @Test
    void theTableShowsEveryModelWithItsMedianRatioAndRange() {
        ModelComparisonReport report = new ModelComparisonReport(List.of(
                entry("base.gguf", rate(40, 40, 40), rate(20, 20, 20)),
                entry("gptq-dir", rate(60, 50, 40), rate(24, 22, 30))), "cpu, 512-bit vectors", 2, 128, 64);
        String table = report.toTable();
        assertTrue(table.contains("2 models in one process, 3 rounds"), table);
        assertTrue(table.contains("1.00 (1.00-1.00)"), table);
        // decode 24/20, 22/20, 30/20 -> median 1.20, range 1.10-1.50; prefill 1.50, 1.25, 1.00 -> 1.25
        assertTrue(table.contains("1.20 (1.10-1.50)"), table);
        assertTrue(table.contains("1.25 (1.00-1.50)"), table);
        assertTrue(table.contains("decode runs (tok/s@load) gptq-dir: 24.0@1.5 22.0@1.5 30.0@1.5"), table);
    }

    @Test
    void refusesASingleModelOrUnevenRounds() {
        IllegalArgumentException one = assertThrows(IllegalArgumentException.class, () -> new ModelComparisonReport(
                List.of(entry("a", rate(1), rate(1))), "cpu", 1, 1, 1));
        assertTrue(one.getMessage().contains("at least two models"), one.getMessage());
        IllegalArgumentException uneven = assertThrows(IllegalArgumentException.class,
                () -> new ModelComparisonReport(List.of(entry("a", rate(1, 2), rate(1, 2)),
                        entry("b", rate(1), rate(1))), "cpu", 1, 1, 1));
        assertTrue(uneven.getMessage().contains("b ran a different number of rounds than a (2)"), uneven.getMessage());
    }
}
