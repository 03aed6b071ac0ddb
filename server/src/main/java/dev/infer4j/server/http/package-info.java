/**
 * The Netty transport: pipeline, routing, authentication, timeouts, admission control and the hand-off from the
 * engine thread to each request's event loop (bounded per-choice queues drained into server-sent events). Event
 * loops never block: tokenization and chat rendering run on preparation threads, generation on the engine. Depends
 * on Netty, the OpenAI wire format package, metrics and the backend port; never on the runtime itself.
 */
package dev.infer4j.server.http;
