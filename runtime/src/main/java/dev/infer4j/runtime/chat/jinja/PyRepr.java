package dev.infer4j.runtime.chat.jinja;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Python's {@code str()} and {@code repr()} of template values, including CPython's shortest float repr. */
final class PyRepr {
    private static final int MAX_DEPTH = 1000;

    private PyRepr() {
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Markup m -> "Markup";
            case Tuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case OneShot o -> o.typeName();
            case DictView d -> d.typeName();
            case LoopContext l -> "LoopContext";
            case MacroValue m -> "Macro";
            case PyCallable c -> "function";
            default -> v.getClass().getSimpleName();
        };
    }

    static String str(Object v) {
        return switch (v) {
            case String s -> s;
            case Markup m -> m.text();
            case Undefined u -> "";
            case null, default -> repr(v);
        };
    }

    static String repr(Object v) {
        StringBuilder b = new StringBuilder();
        repr(v, b, 0);
        return b.toString();
    }

    private static void repr(Object v, StringBuilder b, int depth) {
        if (depth > MAX_DEPTH) {
            throw new JinjaException("RecursionError", "maximum recursion depth exceeded while getting the repr");
        }
        switch (v) {
            case null -> b.append("None");
            case Boolean x -> b.append(x ? "True" : "False");
            case Long x -> b.append(x);
            case Double x -> b.append(floatRepr(x));
            case String s -> quote(s, b);
            case Markup m -> {
                b.append("Markup(");
                quote(m.text(), b);
                b.append(')');
            }
            case Tuple t -> {
                b.append('(');
                items(t, b, depth);
                if (t.size() == 1) {
                    b.append(',');
                }
                b.append(')');
            }
            case List<?> l -> {
                b.append('[');
                items(l, b, depth);
                b.append(']');
            }
            case Map<?, ?> m -> dict(m, b, depth);
            case Undefined u -> b.append("Undefined");
            case Namespace n -> {
                b.append("<Namespace ");
                dict(n.attrs, b, depth);
                b.append('>');
            }
            case DictView d -> {
                b.append(d.typeName()).append("([");
                items(d.items(), b, depth);
                b.append("])");
            }
            case OneShot o -> b.append("<").append(o.typeName()).append(" object>");
            case MacroValue m -> b.append("<Macro '").append(m.name()).append("'>");
            default -> b.append("<").append(typeName(v)).append(" object>");
        }
    }

    private static void items(List<?> l, StringBuilder b, int depth) {
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                b.append(", ");
            }
            repr(l.get(i), b, depth + 1);
        }
    }

    private static void dict(Map<?, ?> m, StringBuilder b, int depth) {
        b.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!first) {
                b.append(", ");
            }
            first = false;
            repr(e.getKey(), b, depth + 1);
            b.append(": ");
            repr(e.getValue(), b, depth + 1);
        }
        b.append('}');
    }

    /** {@code repr(str)}: single quotes unless the text has a single quote and no double quote. */
    static void quote(String s, StringBuilder b) {
        char q = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        b.append(q);
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == q || cp == '\\') {
                b.append('\\').appendCodePoint(cp);
            } else if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\r') {
                b.append("\\r");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp < 0x20 || cp == 0x7F) {
                b.append(String.format("\\x%02x", cp));
            } else if (cp < 0x7F || isPrintable(cp)) {
                b.appendCodePoint(cp);
            } else if (cp <= 0xFF) {
                b.append(String.format("\\x%02x", cp));
            } else if (cp <= 0xFFFF) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.append(String.format("\\U%08x", cp));
            }
        }
        b.append(q);
    }

    /** Python's {@code str.isprintable()} for one code point: not Cc, Cf, Cs, Co, Cn, Zl, Zp, nor Zs other than space. */
    private static boolean isPrintable(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> cp == ' ';
            default -> true;
        };
    }

    /** CPython's {@code repr(float)}: shortest round-tripping digits, exponent form outside [1e-4, 1e16). */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        // Double.toString gives the shortest round-tripping digits (JDK 19+), as CPython's repr does.
        BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = bd.unscaledValue().toString();
        int decpt = digits.length() - bd.scale();
        StringBuilder b = new StringBuilder();
        if (d < 0) {
            b.append('-');
        }
        if (decpt <= -4 || decpt > 16) {
            b.append(digits.charAt(0));
            if (digits.length() > 1) {
                b.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            b.append('e').append(exp < 0 ? '-' : '+');
            String e = Integer.toString(Math.abs(exp));
            if (e.length() < 2) {
                b.append('0');
            }
            b.append(e);
        } else if (decpt <= 0) {
            b.append("0.").append("0".repeat(-decpt)).append(digits);
        } else if (decpt >= digits.length()) {
            b.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
        } else {
            b.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
        }
        return b.toString();
    }
}
