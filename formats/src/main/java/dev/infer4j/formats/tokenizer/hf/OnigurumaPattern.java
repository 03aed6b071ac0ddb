package dev.infer4j.formats.tokenizer.hf;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the Oniguruma (Ruby syntax) regexes found in {@code tokenizer.json} to {@link Pattern}s that match
 * the same spans.
 *
 * <p>What differs and how it is bridged: Oniguruma's {@code \s \d \w \b} are Unicode-aware on UTF-8 text
 * ({@link Pattern#UNICODE_CHARACTER_CLASS}); its {@code ^ $} are line anchors and only {@code \n} ends a line
 * ({@link Pattern#MULTILINE} with {@link Pattern#UNIX_LINES}); its inline {@code m} flag is Java's {@code s};
 * {@code \h} is a hex digit (Java: horizontal space); {@code \p{Han}} names a script (Java: {@code \p{IsHan}});
 * {@code \p{^X}} is a negation; and POSIX brackets {@code [:alpha:]} are written as {@code \p{Alpha}}.
 */
final class OnigurumaPattern {
    private static final int FLAGS = Pattern.UNICODE_CHARACTER_CLASS | Pattern.MULTILINE | Pattern.UNIX_LINES;

    private OnigurumaPattern() {
    }

    /** Compiles an Oniguruma regex; throws {@link PatternSyntaxException} if it has no Java equivalent. */
    static Pattern compile(String onig) {
        return Pattern.compile(translate(onig), FLAGS);
    }

    /** Compiles a literal string to a pattern matching it exactly. */
    static Pattern literal(String text) {
        return Pattern.compile(Pattern.quote(text), FLAGS);
    }

    static String translate(String re) {
        StringBuilder out = new StringBuilder(re.length() + 16);
        int classDepth = 0;
        int i = 0;
        while (i < re.length()) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                char e = re.charAt(i + 1);
                if ((e == 'p' || e == 'P') && i + 2 < re.length() && re.charAt(i + 2) == '{') {
                    int close = re.indexOf('}', i + 3);
                    if (close < 0) {
                        throw new PatternSyntaxException("unclosed property", re, i);
                    }
                    String name = re.substring(i + 3, close);
                    boolean negated = e == 'P';
                    if (name.startsWith("^")) {
                        negated = !negated;
                        name = name.substring(1);
                    }
                    out.append(property(name, negated));
                    i = close + 1;
                    continue;
                }
                if (e == 'h' || e == 'H') {
                    String hex = "0-9a-fA-F";
                    if (classDepth > 0 && e == 'h') {
                        out.append(hex);
                    } else {
                        out.append(e == 'h' ? "[" : "[^").append(hex).append(']');
                    }
                    i += 2;
                    continue;
                }
                out.append(c).append(e);
                i += 2;
                continue;
            }
            if (c == '[') {
                if (classDepth > 0 && re.startsWith("[:", i)) {
                    int close = re.indexOf(":]", i + 2);
                    if (close > 0) {
                        out.append(posixBracket(re.substring(i + 2, close)));
                        i = close + 2;
                        continue;
                    }
                }
                classDepth++;
                out.append(c);
                i++;
                // a ']' right after '[' or '[^' is a literal in both dialects
                if (i < re.length() && re.charAt(i) == '^') {
                    out.append('^');
                    i++;
                }
                if (i < re.length() && re.charAt(i) == ']') {
                    out.append("\\]");
                    i++;
                }
                continue;
            }
            if (c == ']' && classDepth > 0) {
                classDepth--;
                out.append(c);
                i++;
                continue;
            }
            if (c == '(' && classDepth == 0 && re.startsWith("(?", i)) {
                int j = i + 2;
                StringBuilder flags = new StringBuilder();
                while (j < re.length() && "imx-".indexOf(re.charAt(j)) >= 0) {
                    flags.append(re.charAt(j) == 'm' ? 's' : re.charAt(j));
                    j++;
                }
                if (!flags.isEmpty() && j < re.length() && (re.charAt(j) == ')' || re.charAt(j) == ':')) {
                    out.append("(?").append(flags);
                    i = j;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String property(String name, boolean negated) {
        String p = negated ? "\\P{" : "\\p{";
        String direct = p + name + "}";
        if (compiles(direct)) {
            return direct;
        }
        String script = p + "Is" + name + "}";
        if (compiles(script)) {
            return script;
        }
        throw new PatternSyntaxException("unknown Unicode property " + name, direct, 0);
    }

    private static String posixBracket(String name) {
        boolean negated = name.startsWith("^");
        String bare = negated ? name.substring(1) : name;
        String java = switch (bare) {
            case "alnum" -> "Alnum";
            case "alpha" -> "Alpha";
            case "ascii" -> "ASCII";
            case "blank" -> "Blank";
            case "cntrl" -> "Cntrl";
            case "digit" -> "Digit";
            case "graph" -> "Graph";
            case "lower" -> "Lower";
            case "print" -> "Print";
            case "punct" -> "Punct";
            case "space" -> "Space";
            case "upper" -> "Upper";
            case "xdigit" -> "XDigit";
            case "word" -> null;
            default -> throw new PatternSyntaxException("unknown POSIX bracket [:" + name + ":]", name, 0);
        };
        if (java == null) {
            return negated ? "\\W" : "\\w";
        }
        return (negated ? "\\P{" : "\\p{") + java + "}";
    }

    private static boolean compiles(String regex) {
        try {
            Pattern.compile(regex, FLAGS);
            return true;
        } catch (PatternSyntaxException e) {
            return false;
        }
    }
}
