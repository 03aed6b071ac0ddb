package dev.infer4j.server.metrics;

import dev.infer4j.server.backend.BackendStats;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** Every metric the server exposes on {@code /metrics}. Thread-safe; recording never blocks. */
public final class ServerMetrics {

    private static final String PREFIX = "infer4j_";

    private final Map<RequestKey, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final LatencySummary timeToFirstToken = new LatencySummary(PREFIX + "time_to_first_token_seconds",
            "Time from request receipt to the first generated token handed to the client, per choice.");
    private final LatencySummary interTokenLatency = new LatencySummary(PREFIX + "inter_token_latency_seconds",
            "Time between successive generated tokens of one choice, as handed to the client.");
    private final LatencySummary requestLatency = new LatencySummary(PREFIX + "e2e_request_latency_seconds",
            "Time from request receipt to the end of its response, generation requests only.");
    private final IntSupplier requestsInFlight;
    private final Supplier<BackendStats> backendStats;

    private record RequestKey(String endpoint, int status) {
    }

    /**
     * @param requestsInFlight generation requests admitted and not yet finished
     * @param backendStats     the engine's load
     */
    public ServerMetrics(IntSupplier requestsInFlight, Supplier<BackendStats> backendStats) {
        this.requestsInFlight = requestsInFlight;
        this.backendStats = backendStats;
    }

    /** Counts one answered request. {@code endpoint} must come from a fixed set (route names), not from clients. */
    public void countRequest(String endpoint, int status) {
        requests.computeIfAbsent(new RequestKey(endpoint, status), k -> new LongAdder()).increment();
    }

    /** Adds a finished request's prompt and generated tokens. */
    public void countTokens(int prompt, int generated) {
        promptTokens.add(prompt);
        generatedTokens.add(generated);
    }

    /** Request receipt to first token, per choice. */
    public LatencySummary timeToFirstToken() {
        return timeToFirstToken;
    }

    /** Between successive tokens of a choice. */
    public LatencySummary interTokenLatency() {
        return interTokenLatency;
    }

    /** Request receipt to the end of the response. */
    public LatencySummary requestLatency() {
        return requestLatency;
    }

    /** The whole exposition, Prometheus text format 0.0.4. */
    public String render() {
        StringBuilder out = new StringBuilder(4096);
        out.append("# HELP ").append(PREFIX).append("requests_total HTTP requests answered, by endpoint and status.\n");
        out.append("# TYPE ").append(PREFIX).append("requests_total counter\n");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((k, v) -> sorted.put("{endpoint=\"" + PrometheusText.label(k.endpoint()) + "\",status=\""
                + k.status() + "\"}", v.sum()));
        sorted.forEach((labels, v) -> out.append(PREFIX).append("requests_total").append(labels).append(' ')
                .append(v).append('\n'));
        counter(out, "prompt_tokens_total", "Prompt tokens of finished generations.", promptTokens.sum());
        counter(out, "generation_tokens_total", "Tokens generated.", generatedTokens.sum());
        timeToFirstToken.writeTo(out);
        interTokenLatency.writeTo(out);
        requestLatency.writeTo(out);
        BackendStats stats = backendStats.get();
        gauge(out, "requests_in_flight", "Generation requests admitted by the server and not yet answered.",
                requestsInFlight.getAsInt());
        gauge(out, "queue_depth", "Sequences waiting in the engine's queue.", stats.waitingSequences());
        gauge(out, "running_sequences", "Sequences in the engine's running batch.", stats.runningSequences());
        gauge(out, "kv_cache_usage_ratio", "Fraction of KV cache blocks in use.", stats.kvCacheUsage());
        counter(out, "preemptions_total", "Sequences preempted to free KV blocks (recomputed later).",
                stats.preemptions());
        gauge(out, "prefix_cache_hit_ratio", "Share of prefix-cache block lookups that reused cached K/V.",
                stats.prefixHitRate());
        gauge(out, "spec_decode_acceptance_ratio", "Share of speculative proposals the target accepted.",
                stats.specAcceptance());
        gauge(out, "spec_decode_tokens_per_step", "Tokens emitted per target forward pass when speculating.",
                stats.specTokensPerStep());
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(" counter\n");
        out.append(PREFIX).append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ").append(PREFIX).append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(PREFIX).append(name).append(" gauge\n");
        out.append(PREFIX).append(name).append(' ').append(PrometheusText.number(value)).append('\n');
    }
}
