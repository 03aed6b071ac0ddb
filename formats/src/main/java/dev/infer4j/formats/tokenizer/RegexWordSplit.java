package dev.infer4j.formats.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer regex run the way llama.cpp runs the ones it has no hand-written matcher for.
 *
 * <p>A regex with Unicode classes ({@code \p{L}} and friends) is matched over the "collapsed" text, where each
 * non-ASCII code point is replaced by one byte naming its class and each {@code \p{X}} by that byte plus the
 * ASCII members of the class. This is coarser than true Unicode matching (all letter subclasses become
 * {@code \p{L}}; {@code ~} is in neither {@code \p{P}} nor {@code \p{S}}), and that coarseness is exactly what
 * reference token ids were produced with. A regex without classes runs over the code points themselves, with
 * non-ASCII white space replaced by U+000B since {@code \s} is ASCII-only there.
 */
final class RegexWordSplit implements WordSplit {
    private static final Map<String, Integer> CLASS_CATEGORY = Map.of(
            "\\p{N}", UnicodeCategory.NUMBER,
            "\\p{L}", UnicodeCategory.LETTER,
            "\\p{P}", UnicodeCategory.PUNCTUATION,
            "\\p{M}", UnicodeCategory.ACCENT_MARK,
            "\\p{S}", UnicodeCategory.SYMBOL,
            "\\p{Lu}", UnicodeCategory.LETTER,
            "\\p{Ll}", UnicodeCategory.LETTER,
            "\\p{Lt}", UnicodeCategory.LETTER,
            "\\p{Lm}", UnicodeCategory.LETTER,
            "\\p{Lo}", UnicodeCategory.LETTER);

    private static final Map<Integer, String> ASCII_MEMBERS = Map.of(
            UnicodeCategory.NUMBER, "\\x30-\\x39",
            UnicodeCategory.LETTER, "\\x41-\\x5A\\x61-\\x7A",
            UnicodeCategory.PUNCTUATION, "\\x21-\\x23\\x25-\\x2A\\x2C-\\x2F\\x3A-\\x3B\\x3F-\\x40\\x5B-\\x5D\\x5F\\x7B\\x7D",
            UnicodeCategory.ACCENT_MARK, "",
            UnicodeCategory.SYMBOL, "\\x24\\x2B\\x3C-\\x3E\\x5E\\x60\\x7C");

    private final Pattern pattern;
    private final boolean collapsed;

    private RegexWordSplit(Pattern pattern, boolean collapsed) {
        this.pattern = pattern;
        this.collapsed = collapsed;
    }

    static RegexWordSplit of(String llamaRegex) {
        boolean usesClasses = CLASS_CATEGORY.keySet().stream().anyMatch(llamaRegex::contains);
        String java = usesClasses ? collapse(llamaRegex) : javaSyntax(llamaRegex);
        return new RegexWordSplit(Pattern.compile(java), usesClasses);
    }

    /** Rewrites a regex for the collapsed text: each class becomes its stand-in byte plus its ASCII members. */
    static String collapse(String regex) {
        regex.codePoints().filter(c -> c >= 128).findAny().ifPresent(c -> {
            throw new IllegalArgumentException("regex mixes Unicode classes and non-ASCII characters: " + regex);
        });
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean escaped = i > 0 && regex.charAt(i - 1) == '\\';
            if (c == '[' && !escaped && !inside) {
                out.append('[');
                inside = true;
                continue;
            }
            if (c == ']' && inside && !escaped) {
                out.append(']');
                inside = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    Integer category = CLASS_CATEGORY.get(regex.substring(i, close + 1));
                    if (category != null) {
                        char stand = SplitText.collapsedClass(category);
                        String members = String.format("\\x{%X}", (int) stand) + ASCII_MEMBERS.get(category);
                        out.append(inside ? members : "[" + members + "]");
                        i = close;
                        continue;
                    }
                }
            }
            appendJava(out, regex, i, inside);
            if (c == '\\' && i + 1 < regex.length()) {
                out.append(regex.charAt(++i));
            }
        }
        return out.toString();
    }

    /** ECMAScript to Java: '[' inside a class is literal there, '$' is the end of the text only. */
    static String javaSyntax(String regex) {
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c == '\\' && i + 1 < regex.length()) {
                out.append(c).append(regex.charAt(++i));
                continue;
            }
            if (c == '[' && !inside) {
                inside = true;
                out.append(c);
                continue;
            }
            if (c == ']' && inside) {
                inside = false;
                out.append(c);
                continue;
            }
            appendJava(out, regex, i, inside);
        }
        return out.toString();
    }

    private static void appendJava(StringBuilder out, String regex, int i, boolean inside) {
        char c = regex.charAt(i);
        if (inside && (c == '[' || c == '&') && (i == 0 || regex.charAt(i - 1) != '\\')) {
            out.append('\\').append(c);
        } else if (!inside && c == '$' && (i == 0 || regex.charAt(i - 1) != '\\')) {
            out.append("\\z");
        } else {
            out.append(c);
        }
    }

    @Override
    public void split(SplitText text, IntList segments, IntList out) {
        String subject = collapsed ? text.collapsed() : text.wide();
        Matcher m = pattern.matcher(subject);
        int start = 0;
        for (int s = 0; s < segments.size(); s++) {
            int from = start;
            int to = start + segments.get(s);
            start = to;
            int charFrom = collapsed ? from : text.wideCharOfCp(from);
            int charTo = collapsed ? to : text.wideCharOfCp(to);
            m.region(charFrom, charTo);
            int prev = from;
            while (m.find()) {
                int mStart = collapsed ? m.start() : text.cpOfWideChar(m.start());
                int mEnd = collapsed ? m.end() : text.cpOfWideChar(m.end());
                if (mStart > prev) {
                    out.add(mStart - prev);
                }
                out.add(mEnd - mStart);
                prev = mEnd;
            }
            if (prev < to) {
                out.add(to - prev);
            }
        }
    }
}
