package dev.infer4j.formats.tokenizer;

/**
 * GPT-2's pre-tokenizer regex {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)},
 * matched by hand as llama.cpp does (its hand-written matcher, not a regex engine, defines the expected
 * output; e.g. a code point of no class never joins a punctuation run).
 */
final class Gpt2WordSplit implements WordSplit {
    static final String REGEX = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    @Override
    public void split(SplitText text, IntList segments, IntList out) {
        int start = 0;
        for (int s = 0; s < segments.size(); s++) {
            int from = start;
            int to = start + segments.get(s);
            start = to;
            splitSegment(text, from, to, out);
        }
    }

    private static void splitSegment(SplitText text, int from, int to, IntList out) {
        int[] cps = text.cps;
        int prevEnd = from;
        int pos = from;
        while (pos < to) {
            int cpt = cps[pos];
            int flags = text.flags[pos];
            if (cpt == '\'' && pos + 1 < to) {
                int next = cps[pos + 1];
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos += 2;
                    prevEnd = emit(out, prevEnd, pos);
                    continue;
                }
                if (pos + 2 < to) {
                    int next2 = cps[pos + 2];
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                        pos += 3;
                        prevEnd = emit(out, prevEnd, pos);
                        continue;
                    }
                }
            }
            int flags2 = cpt == ' ' ? text.flagsAt(pos + 1, from, to) : flags;
            if (category(flags2) == UnicodeCategory.LETTER) {
                pos += cpt == ' ' ? 1 : 0;
                while (category(flags2) == UnicodeCategory.LETTER) {
                    flags2 = text.flagsAt(++pos, from, to);
                }
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            if (category(flags2) == UnicodeCategory.NUMBER) {
                pos += cpt == ' ' ? 1 : 0;
                while (category(flags2) == UnicodeCategory.NUMBER) {
                    flags2 = text.flagsAt(++pos, from, to);
                }
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            if (isOther(flags2)) {
                pos += cpt == ' ' ? 1 : 0;
                while (isOther(flags2)) {
                    flags2 = text.flagsAt(++pos, from, to);
                }
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            int spaces = 0;
            while ((text.flagsAt(pos + spaces, from, to) & SplitText.WHITESPACE) != 0) {
                spaces++;
            }
            if (spaces > 1 && pos + spaces < to) {
                pos += spaces - 1;
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            if (spaces > 0) {
                pos += spaces;
                prevEnd = emit(out, prevEnd, pos);
                continue;
            }
            prevEnd = emit(out, prevEnd, ++pos);
        }
    }

    static int category(int flags) {
        return flags & 7;
    }

    /** {@code [^\s\p{L}\p{N}]} for a code point inside the segment. */
    static boolean isOther(int flags) {
        int category = flags & 7;
        return flags != 0 && (flags & SplitText.WHITESPACE) == 0 && category != UnicodeCategory.LETTER
                && category != UnicodeCategory.NUMBER;
    }

    static int emit(IntList out, int prevEnd, int end) {
        if (end > prevEnd) {
            out.add(end - prevEnd);
        }
        return end;
    }
}
