package dev.infer4j.server.http;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds the generation requests the server holds at once (preparing, queued in the engine or streaming). A request
 * beyond the bound is refused with 429 at once rather than queued without limit.
 */
public final class AdmissionGate {

    private final int capacity;
    private final AtomicInteger inFlight = new AtomicInteger();

    public AdmissionGate(int capacity) {
        this.capacity = capacity;
    }

    /** Takes a slot, or returns false when all are taken. */
    public boolean tryEnter() {
        while (true) {
            int current = inFlight.get();
            if (current >= capacity) {
                return false;
            }
            if (inFlight.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    /** Returns a slot taken by {@link #tryEnter()}. */
    public void leave() {
        inFlight.decrementAndGet();
    }

    /** Requests holding a slot now. */
    public int inFlight() {
        return inFlight.get();
    }
}
