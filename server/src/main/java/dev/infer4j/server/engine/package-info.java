/**
 * The runtime engine behind the server's backend port: {@link dev.infer4j.server.engine.EngineBackend} adapts a
 * {@link dev.infer4j.runtime.engine.Engine} to {@link dev.infer4j.server.backend.CompletionBackend}, and
 * {@link dev.infer4j.server.engine.BackendLoader} opens a GGUF file into one. This is the only server package that
 * sees the runtime; it may depend on the runtime, formats and kernels and on the backend port, never on Netty, the
 * HTTP transport or the OpenAI wire format.
 */
package dev.infer4j.server.engine;
