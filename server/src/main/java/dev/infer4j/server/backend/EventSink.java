package dev.infer4j.server.backend;

/**
 * Receives one generation's events on the engine thread. The server's implementation never blocks and never throws;
 * see {@link CompletionBackend#submit} for the order of events.
 */
@FunctionalInterface
public interface EventSink {
    /** Delivers one event. */
    void accept(GenerationEvent event);
}
