package dev.infer4j.runtime.chat.jinja;

import java.util.List;
import java.util.Map;

/** Python's printf-style {@code str % args} for the conversions templates use: s r d i f x o e g and %%. */
final class PercentFormat {
    private PercentFormat() {
    }

    static String format(String fmt, Object args, Budget budget) {
        List<?> positional = args instanceof Tuple t ? t : List.of(args == null ? "None" : args);
        boolean single = !(args instanceof Tuple);
        Object singleValue = args;
        int next = 0;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            if (++i >= fmt.length()) {
                throw new JinjaException("ValueError", "incomplete format");
            }
            Object value = null;
            boolean haveValue = false;
            if (fmt.charAt(i) == '(') {
                int close = fmt.indexOf(')', i);
                if (close < 0 || !(args instanceof Map<?, ?> m)) {
                    throw JinjaException.typeError("format requires a mapping");
                }
                value = m.get(fmt.substring(i + 1, close));
                haveValue = true;
                i = close + 1;
            }
            StringBuilder flags = new StringBuilder();
            while (i < fmt.length() && "-+ 0#".indexOf(fmt.charAt(i)) >= 0) {
                flags.append(fmt.charAt(i++));
            }
            int width = 0;
            while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) {
                width = width * 10 + (fmt.charAt(i++) - '0');
            }
            int precision = -1;
            if (i < fmt.length() && fmt.charAt(i) == '.') {
                i++;
                precision = 0;
                while (i < fmt.length() && Character.isDigit(fmt.charAt(i))) {
                    precision = precision * 10 + (fmt.charAt(i++) - '0');
                }
            }
            if (i >= fmt.length()) {
                throw new JinjaException("ValueError", "incomplete format");
            }
            char conv = fmt.charAt(i);
            if (conv == '%') {
                b.append('%');
                continue;
            }
            if (!haveValue) {
                if (single) {
                    if (next++ > 0) {
                        throw JinjaException.typeError("not enough arguments for format string");
                    }
                    value = singleValue;
                } else {
                    if (next >= positional.size()) {
                        throw JinjaException.typeError("not enough arguments for format string");
                    }
                    value = positional.get(next++);
                }
            }
            String body = switch (conv) {
                case 's' -> precision >= 0 ? Py.slice(PyRepr.str(value), null, (long) precision, null)
                    : PyRepr.str(value);
                case 'r', 'a' -> PyRepr.repr(value);
                case 'd', 'i', 'u' -> Long.toString(integer(value));
                case 'x' -> Long.toHexString(integer(value));
                case 'X' -> Long.toHexString(integer(value)).toUpperCase(java.util.Locale.ROOT);
                case 'o' -> Long.toOctalString(integer(value));
                case 'f', 'F' -> String.format(java.util.Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + "f",
                    PyOps.toDouble(value));
                case 'e', 'E' -> pythonExp(String.format(java.util.Locale.ROOT,
                    "%." + (precision < 0 ? 6 : precision) + (conv == 'e' ? "e" : "E"), PyOps.toDouble(value)));
                case 'g', 'G' -> PyRepr.floatRepr(PyOps.toDouble(value));
                default -> throw new JinjaException("ValueError", "unsupported format character '" + conv + "'");
            };
            if (flags.indexOf("+") >= 0 && "dif".indexOf(conv) >= 0 && !body.startsWith("-")) {
                body = "+" + body;
            }
            if (body.length() < width) {
                String pad = (flags.indexOf("0") >= 0 && flags.indexOf("-") < 0 && conv != 's' ? "0" : " ")
                    .repeat(width - body.length());
                body = flags.indexOf("-") >= 0 ? body + pad : pad + body;
            }
            budget.checkLength((long) b.length() + body.length());
            b.append(body);
        }
        if (!single && next < positional.size()) {
            throw JinjaException.typeError("not all arguments converted during string formatting");
        }
        return b.toString();
    }

    private static long integer(Object v) {
        if (PyOps.isInt(v)) {
            return PyOps.toLong(v);
        }
        if (v instanceof Double d) {
            return d.longValue();
        }
        throw JinjaException.typeError("%d format: a real number is required, not " + PyRepr.typeName(v));
    }

    /** Java writes {@code 1.5e+01}; Python too, but Java may print one exponent digit less: pad to two. */
    private static String pythonExp(String s) {
        int e = Math.max(s.indexOf('e'), s.indexOf('E'));
        String exp = s.substring(e + 2);
        return exp.length() < 2 ? s.substring(0, e + 2) + "0" + exp : s;
    }
}
