/**
 * The OpenAI-compatible HTTP server: {@link dev.infer4j.server.InferenceServer} started from a
 * {@link dev.infer4j.server.ServerConfig} over a {@link dev.infer4j.server.backend.CompletionBackend}. Parsing and
 * response shapes live in {@code openai}, the Netty transport in {@code http}, metrics in {@code metrics}. Talks to
 * the engine only through the backend port; knows no SIMD and no model internals.
 */
package dev.infer4j.server;
