package dev.infer4j.formats.tokenizer;

import java.util.List;

/** Splits text into the words that byte-level BPE merges within, by a chain of {@link WordSplit}s. */
final class PreTokenizer {
    private final List<WordSplit> steps;

    PreTokenizer(List<String> llamaRegexes) {
        steps = llamaRegexes.stream().map(WordSplit::of).toList();
    }

    /** Word lengths in code points, covering {@code text} in order (never empty words). */
    IntList split(SplitText text) {
        IntList segments = new IntList(4);
        if (text.cps.length > 0) {
            segments.add(text.cps.length);
        }
        for (WordSplit step : steps) {
            IntList next = new IntList(segments.size() * 2 + 4);
            step.split(text, segments, next);
            segments = next;
        }
        return segments;
    }
}
