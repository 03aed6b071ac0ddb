package dev.infer4j.server.http;

import dev.infer4j.server.backend.Cancellable;
import dev.infer4j.server.backend.EventSink;
import dev.infer4j.server.backend.GenerationEvent;
import dev.infer4j.server.openai.ChoiceOutput;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The engine-to-event-loop channel of one choice: the {@link EventSink} the engine calls, a bounded lock-free queue,
 * and the choice's output. The engine thread only offers and wakes; everything else runs on the event loop.
 */
final class ChoiceStream implements EventSink {

    private final ManyToOneConcurrentArrayQueue<GenerationEvent> queue;
    private final GenerationExchange exchange;
    private final ChoiceOutput output;
    private volatile Cancellable cancellable;
    private volatile boolean cancelled;
    /** Event-loop confined: nanoTime of the last token handed to the client, 0 before the first. */
    long lastTokenNanos;

    ChoiceStream(GenerationExchange exchange, ChoiceOutput output, int capacity) {
        this.exchange = exchange;
        this.output = output;
        this.queue = new ManyToOneConcurrentArrayQueue<>(capacity);
    }

    /** Engine thread: never blocks. A full queue means the client is not reading; the exchange then gives up. */
    @Override
    public void accept(GenerationEvent event) {
        if (cancelled) {
            return;
        }
        if (!queue.offer(event)) {
            exchange.overflowed();
        }
        exchange.wake();
    }

    GenerationEvent poll() {
        return queue.poll();
    }

    void clear() {
        queue.clear();
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
