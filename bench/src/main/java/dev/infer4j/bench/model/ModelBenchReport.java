package dev.infer4j.bench.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.formats.gguf.GgmlType;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything one {@code infer4j bench model} run measured, as a table for people and JSON for tools.
 *
 * <p>The roofline share is decode's bandwidth (weight bytes per token × tokens/s) over the probe's bandwidth,
 * both measured in this process: it says how much of the machine's memory bandwidth decode turns into tokens.
 *
 * @param model      the model file
 * @param weightTypes the element types of the model's weights, as {@code Q4_0 x155, F32 x45}
 * @param backend    the compute backend's name
 * @param threads    compute threads
 * @param traffic    weight bytes read per decoded token
 * @param probeGBps  the bandwidth probe's median in GB/s (0 when skipped)
 * @param probeLoad  load average after the probe
 * @param prefill    prompt tokens per second, one forward over the whole prompt
 * @param decode     decoded tokens per second at batch 1
 * @param batched    batched decode at each batch size
 * @param peer       another engine's figures to compare with
 */
public record ModelBenchReport(String model, String weightTypes, String backend, int threads, WeightTraffic traffic,
                               double probeGBps, double probeLoad, Rate prefill, Rate decode, List<BatchRun> batched,
                               PeerFigures peer) {

    /** Copies the list. */
    public ModelBenchReport {
        batched = List.copyOf(batched);
    }

    /** Decode's read bandwidth in GB/s: weight bytes per token times the median decode rate. */
    public double decodeGBps() {
        return traffic.perToken() * decode.median() / 1e9;
    }

    /** Decode bandwidth over probe bandwidth, or 0 without a probe. */
    public double rooflineShare() {
        return probeGBps > 0 ? decodeGBps() / probeGBps : 0;
    }

    /** The decode rate the probe's bandwidth would allow if decode read nothing but weights, or 0 without a probe. */
    public double rooflineTokensPerSecond() {
        return probeGBps > 0 ? probeGBps * 1e9 / traffic.perToken() : 0;
    }

    /** The human-readable report. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        line(sb, "model", model);
        line(sb, "weights", weightTypes);
        line(sb, "backend / threads", backend + " / " + threads);
        line(sb, "bytes per decoded token", String.format("%,d (layers %,d + output %,d + embedding row %,d)",
                traffic.perToken(), traffic.layerBytes(), traffic.outputBytes(), traffic.embeddingRowBytes()));
        line(sb, "  by type", byTypeText());
        line(sb, "probe bandwidth", probeGBps > 0 ? String.format("%.1f GB/s (load %.1f)", probeGBps, probeLoad) : "skipped");
        sb.append(String.format("%n%-26s %10s %10s %12s  %s%n", "figure", "tok/s", peer.name().isEmpty() ? "" : "vs " + peer.name(),
                "", "runs (tok/s@load)"));
        row(sb, "prefill " + prefill.tokens() + " tokens", prefill, peer.prefill(), "");
        row(sb, "decode " + decode.tokens() + " tokens", decode, peer.decode(),
                String.format("%.1f GB/s", decodeGBps()));
        if (probeGBps > 0) {
            sb.append(String.format("%-26s %10.1f %10s %12s%n", "  roofline (probe)", rooflineTokensPerSecond(), "",
                    String.format("%.0f%% of it", 100 * rooflineShare())));
        }
        for (BatchRun b : batched) {
            row(sb, "batched decode B=" + b.sequences(), b.decode(), peer.batched(b.sequences()),
                    String.format("%.1f/seq", b.decode().median() / b.sequences()));
        }
        for (BatchRun b : batched) {
            row(sb, "batched prefill B=" + b.sequences(), b.prefill(), 0, "");
        }
        return sb.toString();
    }

    /** The report as JSON: the raw runs, their medians and the derived figures. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("model", model);
        root.put("weightTypes", weightTypes);
        root.put("backend", backend);
        root.put("threads", threads);
        ObjectNode t = root.putObject("bytesPerToken");
        t.put("total", traffic.perToken());
        t.put("layers", traffic.layerBytes());
        t.put("output", traffic.outputBytes());
        t.put("embeddingRow", traffic.embeddingRowBytes());
        ObjectNode byType = t.putObject("byType");
        new TreeMap<>(traffic.bytesByType()).forEach((type, bytes) -> byType.put(type.name(), bytes));
        ObjectNode probe = root.putObject("probe");
        probe.put("gbps", probeGBps);
        probe.put("load", probeLoad);
        rate(root.putObject("prefill"), prefill, peer.prefill());
        ObjectNode d = rate(root.putObject("decode"), decode, peer.decode());
        d.put("gbps", decodeGBps());
        d.put("rooflineShare", rooflineShare());
        d.put("rooflineTokensPerSecond", rooflineTokensPerSecond());
        ArrayNode batches = root.putArray("batched");
        for (BatchRun b : batched) {
            ObjectNode n = batches.addObject();
            n.put("sequences", b.sequences());
            rate(n.putObject("decode"), b.decode(), peer.batched(b.sequences()));
            rate(n.putObject("prefill"), b.prefill(), 0);
        }
        if (!peer.name().isEmpty()) {
            root.put("peer", peer.name());
        }
        try {
            return mapper.writeValueAsString(root) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report as JSON", e);
        }
    }

    private static ObjectNode rate(ObjectNode n, Rate r, double peer) {
        n.put("tokens", r.tokens());
        n.put("tokensPerSecond", r.median());
        ArrayNode runs = n.putArray("runs");
        r.tokensPerSecond().forEach(runs::add);
        ArrayNode loads = n.putArray("loadAverages");
        r.loadAverages().forEach(loads::add);
        if (peer > 0) {
            n.put("peerTokensPerSecond", peer);
            n.put("ratioToPeer", r.median() / peer);
        }
        return n;
    }

    private String byTypeText() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<GgmlType, Long> e : new TreeMap<>(traffic.bytesByType()).entrySet()) {
            sb.append(sb.isEmpty() ? "" : ", ").append(String.format("%s %,d", e.getKey(), e.getValue()));
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, String key, String value) {
        sb.append(String.format("%-26s %s%n", key, value));
    }

    private static void row(StringBuilder sb, String name, Rate r, double peer, String extra) {
        String ratio = peer > 0 ? String.format("%.2fx", r.median() / peer) : "";
        sb.append(String.format("%-26s %10.1f %10s %12s  %s%n", name, r.median(), ratio, extra, r.runs()));
    }
}
