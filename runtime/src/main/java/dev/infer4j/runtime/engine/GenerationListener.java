package dev.infer4j.runtime.engine;

/**
 * Receives a generation's events. Called on the engine's step-loop thread: it must return quickly and never
 * block (hand the event to a queue or an event loop); an exception it throws cancels its generation.
 */
@FunctionalInterface
public interface GenerationListener {
    /** One event; see {@link GenerationEvent} for their order. */
    void onEvent(GenerationEvent event);
}
