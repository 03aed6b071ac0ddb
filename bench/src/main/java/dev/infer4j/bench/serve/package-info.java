/**
 * A load generator for any OpenAI-compatible endpoint (infer4j, llama.cpp's server, vLLM): fixed concurrency
 * or a Poisson request rate, streaming requests, and latency percentiles (time to first token, time per output
 * token, inter-token latency, end-to-end) kept in HdrHistograms. Speaks only HTTP; depends on no other module.
 */
package dev.infer4j.bench.serve;
