package dev.infer4j.formats.tokenizer;

/**
 * Llama 3's pre-tokenizer regex
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+},
 * matched by hand as llama.cpp does.
 */
final class Llama3WordSplit implements WordSplit {
    static final String REGEX = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    static final String REGEX_CASE_INSENSITIVE = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

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
                int next = Character.toLowerCase(cps[pos + 1]);
                if (next == 's' || next == 't' || next == 'm' || next == 'd') {
                    pos += 2;
                    prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                    continue;
                }
                if (pos + 2 < to) {
                    int next2 = Character.toLowerCase(cps[pos + 2]);
                    if ((next == 'r' && next2 == 'e') || (next == 'v' && next2 == 'e') || (next == 'l' && next2 == 'l')) {
                        pos += 3;
                        prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                        continue;
                    }
                }
            }
            int category = flags & 7;
            if (!(cpt == '\r' || cpt == '\n' || category == UnicodeCategory.NUMBER)) {
                if (category == UnicodeCategory.LETTER
                        || (text.flagsAt(pos + 1, from, to) & 7) == UnicodeCategory.LETTER) {
                    pos++;
                    while ((text.flagsAt(pos, from, to) & 7) == UnicodeCategory.LETTER) {
                        pos++;
                    }
                    prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                    continue;
                }
            }
            if (category == UnicodeCategory.NUMBER) {
                int ini = pos;
                while ((text.flagsAt(pos, from, to) & 7) == UnicodeCategory.NUMBER) {
                    if (++pos - ini >= 3) {
                        prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                        ini = pos;
                    }
                }
                prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                continue;
            }
            int flags2 = cpt == ' ' ? text.flagsAt(pos + 1, from, to) : flags;
            int category2 = flags2 & 7;
            // llama.cpp checks that the first code point has a class (flags), not the one after the space
            if ((flags2 & SplitText.WHITESPACE) == 0 && category2 != UnicodeCategory.LETTER
                    && category2 != UnicodeCategory.NUMBER && flags != 0) {
                pos += cpt == ' ' ? 1 : 0;
                while (Gpt2WordSplit.isOther(flags2)) {
                    flags2 = text.flagsAt(++pos, from, to);
                }
                while (pos < to && (cps[pos] == '\r' || cps[pos] == '\n')) {
                    pos++;
                }
                prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                continue;
            }
            int spaces = 0;
            int lastLineBreakEnd = 0;
            while ((text.flagsAt(pos + spaces, from, to) & SplitText.WHITESPACE) != 0) {
                int c = cps[pos + spaces];
                if (c == '\r' || c == '\n') {
                    lastLineBreakEnd = pos + spaces + 1;
                }
                spaces++;
            }
            if (lastLineBreakEnd > 0) {
                pos = lastLineBreakEnd;
                prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                continue;
            }
            if (spaces > 1 && pos + spaces < to) {
                pos += spaces - 1;
                prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                continue;
            }
            if (spaces > 0) {
                pos += spaces;
                prevEnd = Gpt2WordSplit.emit(out, prevEnd, pos);
                continue;
            }
            prevEnd = Gpt2WordSplit.emit(out, prevEnd, ++pos);
        }
    }
}
