/**
 * The port between the HTTP layer and whatever generates tokens: {@link dev.infer4j.server.backend.CompletionBackend}
 * and the immutable values that cross it. The runtime engine implements this port; the server depends on nothing
 * else of the runtime. This package may depend only on the JDK (no Netty, no Jackson), so that an implementation
 * needs nothing of the transport.
 */
package dev.infer4j.server.backend;
