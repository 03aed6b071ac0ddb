package dev.infer4j.runtime.text;

import dev.infer4j.formats.tokenizer.Tokenizer;

import java.util.List;

/**
 * One sequence's output text: token ids in, client-ready deltas out. Combines an
 * {@link IncrementalDetokenizer} (whole characters only) with a {@link StopStringMatcher} (no half-emitted stop
 * string; text cut before the stop). Not thread-safe; one per sequence.
 */
public final class TextStream {

    private final IncrementalDetokenizer detokenizer;
    private final StopStringMatcher matcher;

    /**
     * @param tokenizer        gives each token's bytes
     * @param renderSpecial    render control tokens' text
     * @param dropLeadingSpace see {@link IncrementalDetokenizer}
     * @param stops            stop strings, each non-empty
     */
    public TextStream(Tokenizer tokenizer, boolean renderSpecial, boolean dropLeadingSpace, List<String> stops) {
        this.detokenizer = new IncrementalDetokenizer(tokenizer, renderSpecial, dropLeadingSpace);
        this.matcher = new StopStringMatcher(stops);
    }

    /**
     * Adds a generated token; returns the text that may be shown now and, if a stop string matched, which one
     * (generation should end then).
     *
     * @throws IllegalStateException if a stop string already matched
     */
    public TextDelta push(int token) {
        return matcher.push(detokenizer.push(token));
    }

    /**
     * Ends the stream (end of generation, token limit, stop token): flushes an unfinished character as U+FFFD
     * and releases held-back text. A stop string may still complete here. After a stop matched this returns an
     * empty delta.
     */
    public TextDelta finish() {
        if (matcher.stopped()) {
            return TextDelta.of("");
        }
        TextDelta last = matcher.push(detokenizer.finish());
        if (last.stopped()) {
            return last;
        }
        return TextDelta.of(last.text() + matcher.finish());
    }

    /** Whether a stop string matched. */
    public boolean stopped() {
        return matcher.stopped();
    }
}
