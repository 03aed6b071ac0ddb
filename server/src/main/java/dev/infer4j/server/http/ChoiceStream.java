package dev.infer4j.server.http;

import dev.infer4j.server.backend.Cancellable;
import dev.infer4j.server.backend.EventSink;
import dev.infer4j.server.backend.GenerationEvent;
import dev.infer4j.server.openai.ChoiceOutput;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine-to-event-loop channel of one choice: the {@link EventSink} the engine calls, a bounded lock-free queue,
 * and the choice's output. The engine thread only offers and wakes; everything else runs on the event loop.
 *
 * <p>The queue is a {@link ConcurrentLinkedQueue} with a counted bound rather than Agrona's array queues: those need
 * {@code --add-exports java.base/jdk.internal.misc} on every JVM that runs the server, and one node allocation per
 * token is small beside the event object the engine allocates anyway.
 */
final class ChoiceStream implements EventSink {

    private final ConcurrentLinkedQueue<GenerationEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;
    private final GenerationExchange exchange;
    private final ChoiceOutput output;
    private volatile Cancellable cancellable;
    private volatile boolean cancelled;
    /** Event-loop confined: nanoTime of the last token handed to the client, 0 before the first. */
    long lastTokenNanos;

    ChoiceStream(GenerationExchange exchange, ChoiceOutput output, int capacity) {
        this.exchange = exchange;
        this.output = output;
        this.capacity = capacity;
    }

    /** Engine thread: never blocks. A full queue means the client is not reading; the exchange then gives up. */
    @Override
    public void accept(GenerationEvent event) {
        if (cancelled) {
            return;
        }
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            exchange.overflowed();
        } else {
            queue.offer(event);
        }
        exchange.wake();
    }

    GenerationEvent poll() {
        GenerationEvent event = queue.poll();
        if (event != null) {
            size.decrementAndGet();
        }
        return event;
    }

    void clear() {
        while (poll() != null) {
            // drop events of a finished exchange
        }
    }

    ChoiceOutput output() {
        return output;
    }

    void attach(Cancellable handle) {
        this.cancellable = handle;
        if (cancelled) {
            handle.cancel();
        }
    }

    /** Stops the generation (if submitted) and ignores its further events. Idempotent. */
    void cancel() {
        cancelled = true;
        Cancellable handle = cancellable;
        if (handle != null) {
            handle.cancel();
        }
    }
}
