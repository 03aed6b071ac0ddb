package dev.infer4j.runtime.engine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;

/** Waits for generations that run side by side, for the engine tests that submit a whole batch at once. */
final class Completions {
    private Completions() {
    }

    /** Each stream's completion, in the streams' order; fails if any generation ended in an error. */
    static List<Completion> collectAll(List<GenerationStream> streams) throws InterruptedException {
        List<Completion> out = new ArrayList<>(streams.size());
        for (GenerationStream s : streams) {
            Completion c = s.collect();
            assertNull(c.error(), "generation failed");
            out.add(c);
        }
        return out;
    }
}
