/**
 * Server metrics and their Prometheus text exposition: request counters, token counters, latency summaries kept in
 * HdrHistogram recorders (recording is wait-free, so event loops and the engine never contend) and load gauges.
 * Depends on HdrHistogram and the backend port only; no Netty.
 */
package dev.infer4j.server.metrics;
