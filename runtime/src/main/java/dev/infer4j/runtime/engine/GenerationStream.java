package dev.infer4j.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A generation's events as a blocking stream: {@link #next()} waits for the next event and returns null after
 * the final one. The queue is unbounded because a generation emits at most its token limit plus one events,
 * which the engine already bounds. Closing cancels the generation if it has not ended.
 */
public final class GenerationStream implements AutoCloseable {
    private final LinkedBlockingQueue<GenerationEvent> events = new LinkedBlockingQueue<>();
    private GenerationHandle handle;
    private boolean ended;

    GenerationStream() {
    }

    void attach(GenerationHandle handle) {
        this.handle = handle;
    }

    void offer(GenerationEvent event) {
        events.add(event);
    }

    /** The generation's handle (id, prompt length, cancel). */
    public GenerationHandle handle() {
        return handle;
    }

    /** The next event, waiting for it; null once the final event has been returned. */
    public GenerationEvent next() throws InterruptedException {
        if (ended) {
            return null;
        }
        GenerationEvent e = events.take();
        ended = e instanceof GenerationEvent.Finished || e instanceof GenerationEvent.Failed;
        return e;
    }

    /** Reads the remaining events and assembles the result. */
    public Completion collect() throws InterruptedException {
        StringBuilder text = new StringBuilder();
        List<Integer> tokens = new ArrayList<>();
        for (GenerationEvent e; (e = next()) != null; ) {
            switch (e) {
                case GenerationEvent.PromptLogprobs p -> {
                    // scores of the prompt: not part of the completion's text
                }
                case GenerationEvent.Token t -> {
                    text.append(t.text());
                    tokens.add(t.token());
                }
                case GenerationEvent.Finished f -> {
                    text.append(f.text());
                    return new Completion(text.toString(), tokens.stream().mapToInt(Integer::intValue).toArray(),
                            f.reason(), f.stop(), f.usage(), null);
                }
                case GenerationEvent.Failed f -> {
                    return new Completion(text.toString(), tokens.stream().mapToInt(Integer::intValue).toArray(),
                            null, null, f.usage(), f.message());
                }
            }
        }
        throw new IllegalStateException("the stream has already ended");
    }

    /** Cancels the generation unless it has ended. */
    @Override
    public void close() {
        if (!ended && handle != null) {
            handle.cancel();
        }
    }
}
