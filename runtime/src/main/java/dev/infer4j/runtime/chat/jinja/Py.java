package dev.infer4j.runtime.chat.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Python {@code str} semantics over Java strings: lengths, indices and slices count code points (as Python does),
 * whitespace is Python's {@code str.isspace()} set, and the strip/split family follows CPython.
 */
final class Py {
    private Py() {
    }

    static boolean isSpace(int cp) {
        return switch (cp) {
            case ' ', '\t', '\n', 0x0B, '\f', '\r', 0x1C, 0x1D, 0x1E, 0x1F, 0x85 -> true;
            default -> cp > 0x7F && (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) && cp != 0x200B;
        };
    }

    static boolean isAllSpace(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!isSpace(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isNameStart(char c) {
        return c == '_' || Character.isLetter(c);
    }

    static boolean isNameChar(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static boolean hasSurrogates(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    /** The code point at Python index {@code i} (already normalised to 0..len-1), as a one-character string. */
    static String charAt(String s, int i) {
        if (!hasSurrogates(s)) {
            return String.valueOf(s.charAt(i));
        }
        int offset = s.offsetByCodePoints(0, i);
        return new String(Character.toChars(s.codePointAt(offset)));
    }

    static List<String> chars(String s) {
        List<String> out = new ArrayList<>(s.length());
        s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }

    /** {@code s[start:stop:step]} with Python's clamping rules; null bounds mean "omitted". */
    static String slice(String s, Long start, Long stop, Long step) {
        if (!hasSurrogates(s)) {
            int[] idx = sliceIndices(s.length(), start, stop, step);
            if (idx[2] == 1) {
                return idx[0] < idx[1] ? s.substring(idx[0], idx[1]) : "";
            }
            StringBuilder b = new StringBuilder();
            for (int i = idx[0]; idx[2] > 0 ? i < idx[1] : i > idx[1]; i += idx[2]) {
                b.append(s.charAt(i));
            }
            return b.toString();
        }
        int[] cps = s.codePoints().toArray();
        int[] idx = sliceIndices(cps.length, start, stop, step);
        StringBuilder b = new StringBuilder();
        for (int i = idx[0]; idx[2] > 0 ? i < idx[1] : i > idx[1]; i += idx[2]) {
            b.appendCodePoint(cps[i]);
        }
        return b.toString();
    }

    static <T> List<T> slice(List<T> list, Long start, Long stop, Long step) {
        int[] idx = sliceIndices(list.size(), start, stop, step);
        List<T> out = new ArrayList<>();
        for (int i = idx[0]; idx[2] > 0 ? i < idx[1] : i > idx[1]; i += idx[2]) {
            out.add(list.get(i));
        }
        return out;
    }

    /** CPython's {@code PySlice_AdjustIndices}: returns {start, stop, step} ready for a loop. */
    static int[] sliceIndices(int len, Long start, Long stop, Long step) {
        long st = step == null ? 1 : step;
        if (st == 0) {
            throw new JinjaException("ValueError", "slice step cannot be zero");
        }
        long lo;
        long hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp(start, len, 0, len);
            hi = stop == null ? len : clamp(stop, len, 0, len);
        } else {
            lo = start == null ? len - 1 : clamp(start, len, -1, len - 1);
            hi = stop == null ? -1 : clamp(stop, len, -1, len - 1);
        }
        return new int[] {(int) lo, (int) hi, (int) Math.max(Math.min(st, Integer.MAX_VALUE), Integer.MIN_VALUE + 1)};
    }

    private static long clamp(long index, int len, long min, long max) {
        long i = index < 0 ? index + len : index;
        return Math.max(min, Math.min(max, i));
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int[] cps = s.codePoints().toArray();
        int from = 0;
        int to = cps.length;
        if (left) {
            while (from < to && stripped(cps[from], chars)) {
                from++;
            }
        }
        if (right) {
            while (to > from && stripped(cps[to - 1], chars)) {
                to--;
            }
        }
        return new String(cps, from, to - from);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.indexOf(new String(Character.toChars(cp))) >= 0;
    }

    static String rstrip(String s) {
        return strip(s, null, false, true);
    }

    /** {@code str.split(sep, maxsplit)}; a null separator splits on runs of whitespace and drops empty parts. */
    static List<String> split(String s, String sep, long maxsplit) {
        List<String> out = new ArrayList<>();
        long max = maxsplit < 0 ? Long.MAX_VALUE : maxsplit;
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    break;
                }
                if (out.size() >= max) {
                    out.add(rstrip(s.substring(i)));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) {
            throw new JinjaException("ValueError", "empty separator");
        }
        int i = 0;
        while (out.size() < max) {
            int k = s.indexOf(sep, i);
            if (k < 0) {
                break;
            }
            out.add(s.substring(i, k));
            i = k + sep.length();
        }
        out.add(s.substring(i));
        return out;
    }

    /** {@code str.rsplit(sep, maxsplit)}. */
    static List<String> rsplit(String s, String sep, long maxsplit) {
        if (maxsplit < 0) {
            return split(s, sep, maxsplit);
        }
        List<String> out = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isSpace(s.charAt(j - 1))) {
                    j--;
                }
                if (j <= 0) {
                    break;
                }
                if (out.size() >= maxsplit) {
                    out.add(strip(s.substring(0, j), null, true, false));
                    break;
                }
                int i = j;
                while (i > 0 && !isSpace(s.charAt(i - 1))) {
                    i--;
                }
                out.add(s.substring(i, j));
                j = i;
            }
        } else {
            if (sep.isEmpty()) {
                throw new JinjaException("ValueError", "empty separator");
            }
            int j = s.length();
            while (out.size() < maxsplit) {
                int k = s.lastIndexOf(sep, j - sep.length());
                if (k < 0) {
                    break;
                }
                out.add(s.substring(k + sep.length(), j));
                j = k;
            }
            out.add(s.substring(0, j));
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** {@code str.splitlines()} with Python's set of line boundaries. */
    static List<String> splitlines(String s, boolean keepends) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int start = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            int eol;
            if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') {
                eol = 2;
            } else if (c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E
                || c == 0x85 || c == 0x2028 || c == 0x2029) {
                eol = 1;
            } else {
                i++;
                continue;
            }
            out.add(s.substring(start, keepends ? i + eol : i));
            i += eol;
            start = i;
        }
        if (start < n) {
            out.add(s.substring(start));
        }
        return out;
    }

    static String upper(String s) {
        return s.toUpperCase(java.util.Locale.ROOT);
    }

    static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT);
    }

    /** {@code str.capitalize()}: first character title-cased, the rest lower-cased. */
    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        int n = Character.charCount(first);
        return new String(Character.toChars(Character.toTitleCase(first))) + lower(s.substring(n));
    }

    /** {@code str.title()}: a cased letter after an uncased character starts a word. */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean cased = Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
            b.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
            previousCased = cased;
        }
        return b.toString();
    }

    static String repeat(String s, long n, Budget budget) {
        if (n <= 0 || s.isEmpty()) {
            return "";
        }
        budget.checkLength((long) s.length() * n);
        return s.repeat((int) n);
    }

    /** Decodes a string literal body the way jinja2 does: Python's {@code unicode-escape} codec. */
    static String unescape(String raw) {
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder b = new StringBuilder(raw.length());
        int n = raw.length();
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c != '\\' || i + 1 >= n) {
                b.append(c);
                continue;
            }
            char e = raw.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\' -> b.append('\\');
                case '\'' -> b.append('\'');
                case '"' -> b.append('"');
                case 'a' -> b.append('\u0007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'v' -> b.append('\u000B');
                case 'x', 'u', 'U' -> {
                    int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    int cp = parseHex(raw, i + 1, digits);
                    b.appendCodePoint(cp);
                    i += digits;
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int value = e - '0';
                    int k = 1;
                    while (k < 3 && i + 1 < n && raw.charAt(i + 1) >= '0' && raw.charAt(i + 1) <= '7') {
                        value = value * 8 + raw.charAt(++i) - '0';
                        k++;
                    }
                    b.append((char) value);
                }
                default -> b.append('\\').append(e);
            }
        }
        return b.toString();
    }

    private static int parseHex(String raw, int from, int digits) {
        if (from + digits > raw.length()) {
            throw new JinjaException("TemplateSyntaxError", "truncated escape in string literal");
        }
        try {
            int cp = Integer.parseInt(raw.substring(from, from + digits), 16);
            if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                throw new JinjaException("TemplateSyntaxError", "illegal Unicode character in string literal");
            }
            return cp;
        } catch (NumberFormatException e) {
            throw new JinjaException("TemplateSyntaxError", "truncated escape in string literal");
        }
    }
}
