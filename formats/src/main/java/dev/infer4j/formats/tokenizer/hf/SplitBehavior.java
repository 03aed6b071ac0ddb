package dev.infer4j.formats.tokenizer.hf;

import java.util.List;

/** What happens to the matched delimiters when a piece is split (Hugging Face's {@code SplitDelimiterBehavior}). */
enum SplitBehavior {
    /** Matches are dropped. */
    REMOVED,
    /** Each match is a piece of its own. */
    ISOLATED,
    /** A match joins the piece before it. */
    MERGED_WITH_PREVIOUS,
    /** A match joins the piece after it. */
    MERGED_WITH_NEXT,
    /** Runs of consecutive matches form one piece. */
    CONTIGUOUS;

    /** Parses the JSON name ({@code "Isolated"}, {@code "MergedWithPrevious"}, ...); null if unknown. */
    static SplitBehavior fromJson(String name) {
        return switch (name) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> null;
        };
    }

    /** Splits {@code piece} along {@code spans} (which cover it) and appends the non-empty parts to {@code out}. */
    void split(Piece piece, Spans spans, List<Piece> out) {
        int n = spans.size;
        int[] starts = new int[n];
        int[] ends = new int[n];
        int count = 0;
        switch (this) {
            case REMOVED -> {
                for (int i = 0; i < n; i++) {
                    if (!spans.flags[i]) {
                        starts[count] = spans.starts[i];
                        ends[count++] = spans.ends[i];
                    }
                }
            }
            case ISOLATED -> {
                System.arraycopy(spans.starts, 0, starts, 0, n);
                System.arraycopy(spans.ends, 0, ends, 0, n);
                count = n;
            }
            case CONTIGUOUS -> {
                boolean previousMatch = false;
                for (int i = 0; i < n; i++) {
                    boolean match = spans.flags[i];
                    if (match == previousMatch && count > 0) {
                        ends[count - 1] = spans.ends[i];
                    } else {
                        starts[count] = spans.starts[i];
                        ends[count++] = spans.ends[i];
                    }
                    previousMatch = match;
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                boolean previousMatch = false;
                for (int i = 0; i < n; i++) {
                    boolean match = spans.flags[i];
                    if (match && !previousMatch && count > 0) {
                        ends[count - 1] = spans.ends[i];
                    } else {
                        starts[count] = spans.starts[i];
                        ends[count++] = spans.ends[i];
                    }
                    previousMatch = match;
                }
            }
            case MERGED_WITH_NEXT -> {
                // built back to front, then reversed
                boolean previousMatch = false;
                for (int i = n - 1; i >= 0; i--) {
                    boolean match = spans.flags[i];
                    if (match && !previousMatch && count > 0) {
                        starts[count - 1] = spans.starts[i];
                    } else {
                        starts[count] = spans.starts[i];
                        ends[count++] = spans.ends[i];
                    }
                    previousMatch = match;
                }
                reverse(starts, count);
                reverse(ends, count);
            }
        }
        String text = piece.text();
        for (int i = 0; i < count; i++) {
            if (ends[i] > starts[i]) {
                out.add(new Piece(text.substring(starts[i], ends[i]), piece.atOrigin() && starts[i] == 0));
            }
        }
    }

    private static void reverse(int[] a, int n) {
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
