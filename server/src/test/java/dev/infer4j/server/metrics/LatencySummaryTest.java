package dev.infer4j.server.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencySummaryTest {

    private static double series(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1));
            }
        }
        throw new AssertionError("no " + name + " in\n" + text);
    }

    @Test
    void quantilesSumAndCountMatchTheRecordedMillisecondsInSeconds() {
        LatencySummary s = new LatencySummary("x_seconds", "test");
        for (int ms = 1; ms <= 100; ms++) {
            s.recordNanos(ms * 1_000_000L);
        }
        StringBuilder out = new StringBuilder();
        s.writeTo(out);
        String text = out.toString();
        assertTrue(text.startsWith("# HELP x_seconds test\n# TYPE x_seconds summary\n"), text);
        assertEquals(0.050, series(text, "x_seconds{quantile=\"0.5\"}"), 0.050 * 1e-3, text);
        assertEquals(0.090, series(text, "x_seconds{quantile=\"0.9\"}"), 0.090 * 1e-3, text);
        assertEquals(0.099, series(text, "x_seconds{quantile=\"0.99\"}"), 0.099 * 1e-3, text);
        assertEquals(5.050, series(text, "x_seconds_sum"), 1e-9, text);
        assertEquals(100, series(text, "x_seconds_count"), text);
    }

    @Test
    void summaryIsCumulativeAcrossScrapes() {
        LatencySummary s = new LatencySummary("y_seconds", "test");
        s.recordNanos(2_000_000);
        s.writeTo(new StringBuilder());
        s.recordNanos(4_000_000);
        StringBuilder out = new StringBuilder();
        s.writeTo(out);
        assertEquals(2, series(out.toString(), "y_seconds_count"), out.toString());
        assertEquals(0.006, series(out.toString(), "y_seconds_sum"), 1e-12, out.toString());
    }

    @Test
    void emptySummaryReportsNaNQuantilesAndZeroCount() {
        StringBuilder out = new StringBuilder();
        new LatencySummary("z_seconds", "test").writeTo(out);
        assertTrue(out.toString().contains("z_seconds{quantile=\"0.5\"} NaN\n"), out.toString());
        assertEquals(0, series(out.toString(), "z_seconds_count"));
    }
}
