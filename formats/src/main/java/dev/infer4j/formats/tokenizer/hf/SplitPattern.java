package dev.infer4j.formats.tokenizer.hf;

import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a splitting pre-tokenizer looks for. {@link #findMatches} covers the whole text with alternating
 * match/non-match spans, as Hugging Face's {@code Pattern::find_matches} does.
 */
sealed interface SplitPattern {

    /** Appends spans covering {@code text}; an empty text gives one empty non-match span. */
    void findMatches(String text, Spans out);

    /** A regex; every non-overlapping match is one span. */
    record Regex(Pattern pattern) implements SplitPattern {
        @Override
        public void findMatches(String text, Spans out) {
            if (text.isEmpty()) {
                out.add(0, 0, false);
                return;
            }
            Matcher m = pattern.matcher(text);
            int prev = 0;
            while (m.find()) {
                if (m.start() == m.end()) {
                    continue;
                }
                if (prev != m.start()) {
                    out.add(prev, m.start(), false);
                }
                out.add(m.start(), m.end(), true);
                prev = m.end();
            }
            if (prev != text.length()) {
                out.add(prev, text.length(), false);
            }
        }
    }

    /** A character class; every matching character is a span of its own. */
    record CharClass(IntPredicate matches) implements SplitPattern {
        @Override
        public void findMatches(String text, Spans out) {
            if (text.isEmpty()) {
                out.add(0, 0, false);
                return;
            }
            int last = 0;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                int end = i + Character.charCount(cp);
                if (matches.test(cp)) {
                    if (last < i) {
                        out.add(last, i, false);
                    }
                    out.add(i, end, true);
                    last = end;
                }
                i = end;
            }
            if (last < text.length()) {
                out.add(last, text.length(), false);
            }
        }
    }
}
