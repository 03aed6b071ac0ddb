package dev.infer4j.runtime.text;

import java.util.List;

/**
 * Finds stop strings in streamed text without ever releasing text that could turn out to be part of one.
 *
 * <p>After each piece it holds back the longest tail that is a proper prefix of some stop string and releases
 * the rest; the tail is released as soon as it can no longer complete. When a stop string appears, the text is
 * cut before it, the stop is reported, and the matcher is done. If several could match, the one that completes
 * first in the text wins, and of those ending at the same place the one that starts first (the longest): the
 * result is the same however the text is split into pieces.
 *
 * <p>Works on UTF-16 text that holds whole characters (as {@link IncrementalDetokenizer} gives). Not
 * thread-safe; one per sequence.
 */
public final class StopStringMatcher {

    private final String[] stops;
    private final int longestStop;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    /** @param stops the stop strings, each non-empty */
    public StopStringMatcher(List<String> stops) {
        this.stops = stops.toArray(String[]::new);
        int longest = 0;
        for (String s : this.stops) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must be non-empty, got "
                        + (s == null ? "null" : "\"\""));
            }
            longest = Math.max(longest, s.length());
        }
        this.longestStop = longest;
    }

    /**
     * Adds a piece of text and returns what may be released now, with the stop string if one matched.
     *
     * @throws IllegalStateException if a stop string already matched
     */
    public TextDelta push(String text) {
        if (stopped) {
            throw new IllegalStateException("a stop string already matched; no more text is accepted");
        }
        if (stops.length == 0) {
            return TextDelta.of(text);
        }
        int searchedUpTo = held.length();
        held.append(text);
        int n = held.length();
        // the held text contained no complete stop, so a match must end in the new text
        for (int end = searchedUpTo + 1; end <= n; end++) {
            String match = null;
            for (String s : stops) {
                int start = end - s.length();
                if (start >= 0 && (match == null || s.length() > match.length()) && endsWithAt(s, end)) {
                    match = s;
                }
            }
            if (match != null) {
                String before = held.substring(0, end - match.length());
                held.setLength(0);
                stopped = true;
                return new TextDelta(before, match);
            }
        }
        int hold = longestPendingPrefix();
        String released = held.substring(0, n - hold);
        held.delete(0, n - hold);
        return TextDelta.of(released);
    }

    /** Ends the stream without a stop: releases whatever is held back. */
    public String finish() {
        String rest = held.toString();
        held.setLength(0);
        return rest;
    }

    /** Whether a stop string matched. */
    public boolean stopped() {
        return stopped;
    }

    /** How many characters are held back. */
    public int heldLength() {
        return held.length();
    }

    private boolean endsWithAt(String s, int end) {
        int start = end - s.length();
        for (int i = 0; i < s.length(); i++) {
            if (held.charAt(start + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The length of the longest tail of the held text that a stop string starts with (shorter than it). */
    private int longestPendingPrefix() {
        int n = held.length();
        for (int len = Math.min(n, longestStop - 1); len > 0; len--) {
            for (String s : stops) {
                if (s.length() > len && startsWithTail(s, n - len, len)) {
                    return len;
                }
            }
        }
        return 0;
    }

    private boolean startsWithTail(String s, int from, int len) {
        for (int i = 0; i < len; i++) {
            if (held.charAt(from + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
