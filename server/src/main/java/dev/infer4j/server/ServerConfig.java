package dev.infer4j.server;

import java.time.Duration;
import java.util.Objects;

/**
 * How to run the HTTP server.
 *
 * @param host              address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port              TCP port; 0 picks a free one ({@link InferenceServer#port()} reports it)
 * @param apiKey            bearer token every API request must carry, or null for none ({@code /health} and
 *                          {@code /metrics} never need it)
 * @param modelAlias        the model id clients see and may request, or null to use the backend's id; the backend's
 *                          own id is accepted either way
 * @param maxBodyBytes      largest request body; larger ones get 413
 * @param maxQueuedRequests generation requests held at once (preparing, queued or streaming); more get 429
 * @param requestTimeout    time a client may take to send one whole request (slow senders get 408 and are closed)
 * @param idleTimeout       a connection with no traffic and no request in progress is closed after this
 * @param ioThreads         Netty event loop threads
 * @param eventQueueSize    generation events buffered per choice for a client that reads slowly; when full, the
 *                          generation is cancelled rather than buffered without bound
 */
public record ServerConfig(String host, int port, String apiKey, String modelAlias, int maxBodyBytes,
                           int maxQueuedRequests, Duration requestTimeout, Duration idleTimeout, int ioThreads,
                           int eventQueueSize) {

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank; use null for no key");
        }
        if (maxBodyBytes < 1024 || maxQueuedRequests < 1 || ioThreads < 1 || eventQueueSize < 16) {
            throw new IllegalArgumentException("maxBodyBytes >= 1024, maxQueuedRequests >= 1, ioThreads >= 1 and "
                    + "eventQueueSize >= 16 required");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero() || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /**
     * Loopback, the given port, no key, no alias, 8 MiB bodies, 256 queued requests, 30 s request timeout, 120 s idle
     * timeout, two event loops, 4096 buffered events per choice.
     */
    public static ServerConfig defaults(int port) {
        return new ServerConfig("127.0.0.1", port, null, null, 8 * 1024 * 1024, 256, Duration.ofSeconds(30),
                Duration.ofSeconds(120), 2, 4096);
    }

    /** This configuration bound to another host. */
    public ServerConfig withHost(String host) {
        return new ServerConfig(host, port, apiKey, modelAlias, maxBodyBytes, maxQueuedRequests, requestTimeout,
                idleTimeout, ioThreads, eventQueueSize);
    }

    /** This configuration with another API key (null: none). */
    public ServerConfig withApiKey(String apiKey) {
        return new ServerConfig(host, port, apiKey, modelAlias, maxBodyBytes, maxQueuedRequests, requestTimeout,
                idleTimeout, ioThreads, eventQueueSize);
    }

    /** This configuration with another model alias (null: the backend's id). */
    public ServerConfig withModelAlias(String modelAlias) {
        return new ServerConfig(host, port, apiKey, modelAlias, maxBodyBytes, maxQueuedRequests, requestTimeout,
                idleTimeout, ioThreads, eventQueueSize);
    }

    /** This configuration with another body limit. */
    public ServerConfig withMaxBodyBytes(int maxBodyBytes) {
        return new ServerConfig(host, port, apiKey, modelAlias, maxBodyBytes, maxQueuedRequests, requestTimeout,
                idleTimeout, ioThreads, eventQueueSize);
    }

    /** This configuration with another bound on held generation requests. */
    public ServerConfig withMaxQueuedRequests(int maxQueuedRequests) {
        return new ServerConfig(host, port, apiKey, modelAlias, maxBodyBytes, maxQueuedRequests, requestTimeout,
                idleTimeout, ioThreads, eventQueueSize);
    }

    /** This configuration with other request and idle timeouts. */
    public ServerConfig withTimeouts(Duration requestTimeout, Duration idleTimeout) {
        return new ServerConfig(host, port, apiKey, modelAlias, maxBodyBytes, maxQueuedRequests, requestTimeout,
                idleTimeout, ioThreads, eventQueueSize);
    }

    /** This configuration with another per-choice event buffer size. */
    public ServerConfig withEventQueueSize(int eventQueueSize) {
        return new ServerConfig(host, port, apiKey, modelAlias, maxBodyBytes, maxQueuedRequests, requestTimeout,
                idleTimeout, ioThreads, eventQueueSize);
    }
}
