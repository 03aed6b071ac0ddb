package dev.infer4j.formats.tokenizer;

/**
 * One text being pre-tokenized: its code points, their classes, and the two stand-in strings llama.cpp runs
 * general regexes over (built on first use).
 */
final class SplitText {
    /** Class bit set beside the category when a code point is White_Space. */
    static final int WHITESPACE = 8;

    final int[] cps;
    final int[] flags;
    private String collapsed;
    private String wide;
    private int[] wideCharToCp;

    SplitText(int[] cps) {
        this.cps = cps;
        flags = new int[cps.length];
        for (int i = 0; i < cps.length; i++) {
            int cp = cps[i];
            flags[i] = UnicodeCategory.of(cp) | (UnicodeCategory.isWhitespace(cp) ? WHITESPACE : 0);
        }
    }

    /**
     * One char per code point: ASCII as is, every other code point replaced by a byte naming its class
     * (white space becomes U+000B). Regexes using {@code \p{..}} run over this, with each class written as
     * that byte plus its ASCII members.
     */
    String collapsed() {
        if (collapsed == null) {
            char[] out = new char[cps.length];
            for (int i = 0; i < cps.length; i++) {
                out[i] = cps[i] < 128 ? (char) cps[i] : collapsedClass(flags[i]);
            }
            collapsed = new String(out);
        }
        return collapsed;
    }

    static char collapsedClass(int flags) {
        if ((flags & WHITESPACE) != 0) {
            return 0x0B;
        }
        return switch (flags) {
            case UnicodeCategory.NUMBER -> 0xD1;
            case UnicodeCategory.LETTER -> 0xD2;
            case UnicodeCategory.PUNCTUATION -> 0xD3;
            case UnicodeCategory.ACCENT_MARK -> 0xD4;
            case UnicodeCategory.SYMBOL -> 0xD5;
            default -> 0xD0;
        };
    }

    /** The text itself with non-ASCII white space replaced by U+000B (regexes without classes run on this). */
    String wide() {
        if (wide == null) {
            StringBuilder sb = new StringBuilder(cps.length + 8);
            int[] toCp = new int[cps.length * 2 + 1];
            for (int i = 0; i < cps.length; i++) {
                int cp = cps[i] > 0x7F && (flags[i] & WHITESPACE) != 0 ? 0x0B : cps[i];
                toCp[sb.length()] = i;
                if (Character.isSupplementaryCodePoint(cp)) {
                    toCp[sb.length() + 1] = i;
                }
                sb.appendCodePoint(cp);
            }
            toCp[sb.length()] = cps.length;
            wide = sb.toString();
            wideCharToCp = toCp;
        }
        return wide;
    }

    /** Code point index of a char index into {@link #wide()}. */
    int cpOfWideChar(int charIndex) {
        return wideCharToCp[charIndex];
    }

    /** Char index into {@link #wide()} of a code point index. */
    int wideCharOfCp(int cpIndex) {
        wide();
        int lo = 0;
        int hi = wide.length();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (wideCharToCp[mid] < cpIndex) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Class flags at {@code pos}, or 0 outside {@code [from, to)}. */
    int flagsAt(int pos, int from, int to) {
        return pos >= from && pos < to ? flags[pos] : 0;
    }
}
