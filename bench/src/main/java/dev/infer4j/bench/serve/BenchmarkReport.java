package dev.infer4j.bench.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a load test: throughput, latency percentiles and goodput, as a human table and as JSON.
 *
 * @param config        what was run
 * @param completed     requests that finished well
 * @param failed        requests that failed
 * @param firstError    the first failure's message, or null
 * @param wallNanos     duration of the whole run
 * @param promptTokens  prompt tokens summed over completed requests (from usage; -1 if the server gave none)
 * @param outputTokens  output tokens summed over completed requests
 * @param cachedTokens  prompt tokens served from the server's prefix cache (-1 if it reports none)
 * @param goodRequests  completed requests that met both latency objectives
 * @param latencies     per metric (ttft, tpot, itl, e2e), its summary in milliseconds
 */
public record BenchmarkReport(LoadConfig config, int completed, int failed, String firstError, long wallNanos,
                              long promptTokens, long outputTokens, long cachedTokens, int goodRequests,
                              Map<String, LatencySummary> latencies) {

    /**
     * Percentiles of one latency metric, in milliseconds.
     *
     * @param count samples
     */
    public record LatencySummary(long count, double mean, double p50, double p90, double p99, double max) {
        static LatencySummary of(Histogram h) {
            if (h.getTotalCount() == 0) {
                return new LatencySummary(0, 0, 0, 0, 0, 0);
            }
            return new LatencySummary(h.getTotalCount(), h.getMean() / 1e6, ms(h, 50), ms(h, 90), ms(h, 99),
                    h.getMaxValue() / 1e6);
        }

        private static double ms(Histogram h, double percentile) {
            return h.getValueAtPercentile(percentile) / 1e6;
        }
    }

    static BenchmarkReport of(LoadConfig config, List<RequestResult> results, long wallNanos) {
        Histogram ttft = histogram();
        Histogram tpot = histogram();
        Histogram itl = histogram();
        Histogram e2e = histogram();
        int completed = 0;
        int failed = 0;
        int good = 0;
        String firstError = null;
        long prompt = 0;
        long output = 0;
        long cached = 0;
        boolean promptKnown = true;
        boolean cachedKnown = true;
        for (RequestResult r : results) {
            if (!r.ok()) {
                failed++;
                firstError = firstError == null ? r.error() : firstError;
                continue;
            }
            completed++;
            ttft.recordValue(r.ttftNanos());
            e2e.recordValue(r.endToEndNanos());
            if (r.outputTokens() > 1) {
                tpot.recordValue(r.tpotNanos());
            }
            for (long gap : r.interTokenNanos()) {
                itl.recordValue(gap);
            }
            output += r.outputTokens();
            promptKnown &= r.promptTokens() >= 0;
            prompt += Math.max(0, r.promptTokens());
            cachedKnown &= r.cachedTokens() >= 0;
            cached += Math.max(0, r.cachedTokens());
            if (r.ttftNanos() <= config.sloTtft().toNanos() && r.tpotNanos() <= config.sloTpot().toNanos()) {
                good++;
            }
        }
        Map<String, LatencySummary> latencies = new LinkedHashMap<>();
        latencies.put("ttft", LatencySummary.of(ttft));
        latencies.put("tpot", LatencySummary.of(tpot));
        latencies.put("itl", LatencySummary.of(itl));
        latencies.put("e2e", LatencySummary.of(e2e));
        return new BenchmarkReport(config, completed, failed, firstError, wallNanos, promptKnown ? prompt : -1,
                output, cachedKnown ? cached : -1, good, latencies);
    }

    private static Histogram histogram() {
        return new Histogram(3_600_000_000_000L, 3);
    }

    private double seconds() {
        return wallNanos / 1e9;
    }

    /** Completed requests per second. */
    public double requestThroughput() {
        return completed / seconds();
    }

    /** Output tokens per second over the whole run (aggregate decode throughput). */
    public double outputThroughput() {
        return outputTokens / seconds();
    }

    /** Requests per second that met both latency objectives. */
    public double goodput() {
        return goodRequests / seconds();
    }

    /** A table for people. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-32s %s%n", "endpoint", config.baseUrl() + (config.chat() ? " (chat)" : " (completions)")));
        sb.append(String.format("%-32s %d (%s)%n", "concurrency", config.concurrency(),
                config.requestRate() > 0 ? config.requestRate() + " req/s Poisson" : "back to back"));
        sb.append(String.format("%-32s %d ok, %d failed%n", "requests", completed, failed));
        if (firstError != null) {
            sb.append(String.format("%-32s %s%n", "first error", firstError));
        }
        sb.append(String.format("%-32s %.2f%n", "duration (s)", seconds()));
        sb.append(String.format("%-32s %s%n", "prompt tokens", promptTokens >= 0 ? promptTokens : "n/a"));
        sb.append(String.format("%-32s %s%n", "prompt tokens from cache", cachedTokens >= 0 ? cachedTokens : "n/a"));
        sb.append(String.format("%-32s %d%n", "output tokens", outputTokens));
        sb.append(String.format("%-32s %.3f%n", "request throughput (req/s)", requestThroughput()));
        sb.append(String.format("%-32s %.2f%n", "output throughput (tok/s)", outputThroughput()));
        sb.append(String.format("%-32s %.3f (TTFT <= %d ms, TPOT <= %d ms)%n", "goodput (req/s)", goodput(),
                config.sloTtft().toMillis(), config.sloTpot().toMillis()));
        sb.append(String.format("%n%-8s %8s %10s %10s %10s %10s %10s%n", "ms", "count", "mean", "p50", "p90", "p99", "max"));
        for (Map.Entry<String, LatencySummary> e : latencies.entrySet()) {
            LatencySummary s = e.getValue();
            sb.append(String.format("%-8s %8d %10.2f %10.2f %10.2f %10.2f %10.2f%n", e.getKey().toUpperCase(),
                    s.count(), s.mean(), s.p50(), s.p90(), s.p99(), s.max()));
        }
        return sb.toString();
    }

    /** The same figures as JSON, for scripts. */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("base_url", config.baseUrl().toString());
        root.put("endpoint", config.chat() ? "chat" : "completions");
        root.put("concurrency", config.concurrency());
        root.put("request_rate", config.requestRate());
        root.put("completed", completed);
        root.put("failed", failed);
        root.put("duration_s", seconds());
        root.put("prompt_tokens", promptTokens);
        root.put("cached_prompt_tokens", cachedTokens);
        root.put("output_tokens", outputTokens);
        root.put("request_throughput", requestThroughput());
        root.put("output_throughput", outputThroughput());
        root.put("goodput", goodput());
        ObjectNode lat = root.putObject("latency_ms");
        for (Map.Entry<String, LatencySummary> e : latencies.entrySet()) {
            lat.set(e.getKey(), json.valueToTree(e.getValue()));
        }
        return root.toPrettyString();
    }
}
