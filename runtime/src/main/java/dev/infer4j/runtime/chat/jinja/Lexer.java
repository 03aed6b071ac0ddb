package dev.infer4j.runtime.chat.jinja;

import dev.infer4j.runtime.chat.jinja.Token.Kind;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens exactly as jinja2's lexer does with {@code trim_blocks=True},
 * {@code lstrip_blocks=True} and {@code keep_trailing_newline=False}.
 *
 * <p>Whitespace control is applied here, to the data tokens: a {@code -} beside a delimiter strips all whitespace on
 * that side; a block or comment tag that is alone on its line (after indentation) loses the indentation; the first
 * newline after {@code %}} or {@code #}} is dropped; a {@code +} turns the latter two off for that tag.
 */
final class Lexer {
    private static final String[] OPERATORS = {
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"
    };

    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    /** Whether the previous match ended with a newline: jinja2's condition for lstrip at position 0 of a text. */
    private boolean lineStarting = true;

    private Lexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        this.src = s;
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.out;
    }

    private void run() {
        while (pos < src.length()) {
            int start = nextTagStart(pos);
            if (start < 0) {
                emitData(src.substring(pos));
                pos = src.length();
                break;
            }
            char kindChar = src.charAt(start + 1);
            char sign = start + 2 < src.length() ? src.charAt(start + 2) : 0;
            String text = src.substring(pos, start);
            if (sign == '-') {
                text = Py.rstrip(text);
            } else if (sign != '+' && kindChar != '{') {
                int lpos = text.lastIndexOf('\n') + 1;
                if ((lpos > 0 || lineStarting) && lpos < text.length() && Py.isAllSpace(text, lpos)) {
                    text = text.substring(0, lpos);
                }
            }
            emitData(text);
            countLines(pos, start);
            pos = start + 2 + (sign == '-' || sign == '+' ? 1 : 0);
            lineStarting = false;
            switch (kindChar) {
                case '#' -> comment();
                case '%' -> {
                    if (!rawBlock()) {
                        out.add(new Token(Kind.BLOCK_BEGIN, "{%", null, line));
                        tagBody(true);
                    }
                }
                default -> {
                    out.add(new Token(Kind.VAR_BEGIN, "{{", null, line));
                    tagBody(false);
                }
            }
        }
        out.add(new Token(Kind.EOF, "", null, line));
    }

    private int nextTagStart(int from) {
        int i = from;
        while (true) {
            int k = src.indexOf('{', i);
            if (k < 0 || k + 1 >= src.length()) {
                return -1;
            }
            char c = src.charAt(k + 1);
            if (c == '{' || c == '%' || c == '#') {
                return k;
            }
            i = k + 1;
        }
    }

    private void emitData(String text) {
        if (!text.isEmpty()) {
            out.add(new Token(Kind.DATA, text, text, line));
        }
    }

    private void countLines(int from, int to) {
        for (int i = from; i < to; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
    }

    private void advanceTo(int newPos) {
        countLines(pos, newPos);
        lineStarting = newPos > pos && src.charAt(newPos - 1) == '\n';
        pos = newPos;
    }

    /** Consumes a tag's closing delimiter with its whitespace control; returns false if none starts at pos. */
    private boolean closeTag(String closer, boolean trimsNewline) {
        if (src.startsWith("-" + closer, pos)) {
            int end = pos + 1 + closer.length();
            while (end < src.length() && Py.isSpace(src.charAt(end))) {
                end++;
            }
            advanceTo(end);
            return true;
        }
        if (trimsNewline && src.startsWith("+" + closer, pos)) {
            advanceTo(pos + 1 + closer.length());
            return true;
        }
        if (src.startsWith(closer, pos)) {
            int end = pos + closer.length();
            if (trimsNewline && end < src.length() && src.charAt(end) == '\n') {
                end++;
            }
            advanceTo(end);
            return true;
        }
        return false;
    }

    private void comment() {
        int startLine = line;
        while (pos < src.length()) {
            if (src.charAt(pos) == '-' || src.charAt(pos) == '+' || src.charAt(pos) == '#') {
                if (closeTag("#}", true)) {
                    return;
                }
            }
            advanceTo(pos + 1);
        }
        throw JinjaException.syntax("missing end of comment tag", startLine);
    }

    /** Handles {@code {% raw %}...{% endraw %}}; pos is just after the opening delimiter and its sign. */
    private boolean rawBlock() {
        int i = skipSpaces(pos);
        if (!src.startsWith("raw", i) || (i + 3 < src.length() && Py.isNameChar(src.charAt(i + 3)))) {
            return false;
        }
        int saved = pos;
        pos = skipSpaces(i + 3);
        if (!closeTag("%}", false)) {
            pos = saved;
            return false;
        }
        int search = pos;
        while (true) {
            int k = src.indexOf("{%", search);
            if (k < 0) {
                throw JinjaException.syntax("missing endraw", line);
            }
            int j = k + 2;
            char sign = j < src.length() ? src.charAt(j) : 0;
            if (sign == '-' || sign == '+') {
                j++;
            }
            j = skipSpaces(j);
            if (src.startsWith("endraw", j)) {
                String body = src.substring(pos, k);
                if (sign == '-') {
                    body = Py.rstrip(body);
                }
                emitData(body);
                countLines(pos, k);
                pos = skipSpaces(j + 6);
                if (!closeTag("%}", true)) {
                    throw JinjaException.syntax("expected end of endraw tag", line);
                }
                return true;
            }
            search = k + 2;
        }
    }

    private int skipSpaces(int i) {
        while (i < src.length() && Py.isSpace(src.charAt(i))) {
            i++;
        }
        return i;
    }

    private void tagBody(boolean block) {
        String closer = block ? "%}" : "}}";
        int depth = 0;
        int startLine = line;
        while (true) {
            int i = skipSpaces(pos);
            countLines(pos, i);
            pos = i;
            if (pos >= src.length()) {
                throw JinjaException.syntax("unexpected end of template inside a tag", startLine);
            }
            if (depth == 0) {
                int before = pos;
                if (closeTag(closer, block)) {
                    out.add(new Token(block ? Kind.BLOCK_END : Kind.VAR_END, closer, null, line));
                    return;
                }
                pos = before;
            }
            char c = src.charAt(pos);
            if (c == '\'' || c == '"') {
                string(c);
            } else if (Character.isDigit(c)) {
                number();
            } else if (Py.isNameStart(c)) {
                int end = pos + 1;
                while (end < src.length() && Py.isNameChar(src.charAt(end))) {
                    end++;
                }
                String name = src.substring(pos, end);
                out.add(new Token(Kind.NAME, name, name, line));
                pos = end;
            } else {
                String op = null;
                for (String candidate : OPERATORS) {
                    if (src.startsWith(candidate, pos)) {
                        op = candidate;
                        break;
                    }
                }
                if (op == null) {
                    throw JinjaException.syntax("unexpected char '" + c + "'", line);
                }
                switch (op) {
                    case "(", "[", "{" -> depth++;
                    case ")", "]", "}" -> depth = Math.max(0, depth - 1);
                    default -> { }
                }
                out.add(new Token(Kind.OP, op, op, line));
                pos += op.length();
            }
        }
    }

    private void string(char quote) {
        int startLine = line;
        int i = pos + 1;
        while (i < src.length() && src.charAt(i) != quote) {
            if (src.charAt(i) == '\\') {
                i++;
            }
            i++;
        }
        if (i >= src.length()) {
            throw JinjaException.syntax("unterminated string", startLine);
        }
        String raw = src.substring(pos + 1, i);
        out.add(new Token(Kind.STRING, raw, Py.unescape(raw), startLine));
        advanceTo(i + 1);
    }

    private void number() {
        int i = pos;
        boolean isFloat = false;
        if (src.startsWith("0x", i) || src.startsWith("0X", i) || src.startsWith("0o", i) || src.startsWith("0O", i)
            || src.startsWith("0b", i) || src.startsWith("0B", i)) {
            int radix = switch (Character.toLowerCase(src.charAt(i + 1))) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            int end = i + 2;
            while (end < src.length() && (Character.digit(src.charAt(end), radix) >= 0 || src.charAt(end) == '_')) {
                end++;
            }
            String digits = src.substring(i + 2, end).replace("_", "");
            out.add(new Token(Kind.INTEGER, src.substring(i, end), parseLong(digits, radix), line));
            pos = end;
            return;
        }
        i = digits(i);
        if (i + 1 < src.length() && src.charAt(i) == '.' && Character.isDigit(src.charAt(i + 1))) {
            isFloat = true;
            i = digits(i + 1);
        }
        if (i < src.length() && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
            int j = i + 1;
            if (j < src.length() && (src.charAt(j) == '+' || src.charAt(j) == '-')) {
                j++;
            }
            if (j < src.length() && Character.isDigit(src.charAt(j))) {
                isFloat = true;
                i = digits(j);
            }
        }
        String text = src.substring(pos, i);
        String clean = text.replace("_", "");
        Object value = isFloat ? (Object) Double.parseDouble(clean) : parseLong(clean, 10);
        out.add(new Token(isFloat ? Kind.FLOAT : Kind.INTEGER, text, value, line));
        pos = i;
    }

    private int digits(int i) {
        while (i < src.length() && (Character.isDigit(src.charAt(i))
            || (src.charAt(i) == '_' && i + 1 < src.length() && Character.isDigit(src.charAt(i + 1))))) {
            i++;
        }
        return i;
    }

    private Long parseLong(String digits, int radix) {
        try {
            return Long.parseLong(digits, radix);
        } catch (NumberFormatException e) {
            throw JinjaException.syntax("integer literal out of range: " + digits, line);
        }
    }
}
