package dev.infer4j.runtime.text;

/**
 * Text released to the client by one step.
 *
 * @param text the new text, possibly empty; when a stop string matched, everything before it
 * @param stop the stop string that matched, or {@code null} if none did
 */
public record TextDelta(String text, String stop) {

    /** A delta with no stop. */
    public static TextDelta of(String text) {
        return new TextDelta(text, null);
    }

    /** Whether a stop string matched: generation ends and no further text follows. */
    public boolean stopped() {
        return stop != null;
    }
}
