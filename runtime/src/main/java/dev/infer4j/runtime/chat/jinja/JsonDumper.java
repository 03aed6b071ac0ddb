package dev.infer4j.runtime.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's {@code json.dumps(value, ensure_ascii, indent, separators, sort_keys)}, byte for byte. */
final class JsonDumper {
    private static final int MAX_DEPTH = 1000;

    private final boolean ensureAscii;
    private final String indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;
    private final Budget budget;
    private final StringBuilder out = new StringBuilder();

    private JsonDumper(boolean ensureAscii, String indent, String itemSeparator, String keySeparator,
                       boolean sortKeys, Budget budget) {
        this.ensureAscii = ensureAscii;
        this.indent = indent;
        this.itemSeparator = itemSeparator;
        this.keySeparator = keySeparator;
        this.sortKeys = sortKeys;
        this.budget = budget;
    }

    /**
     * @param indent     null, an int (spaces) or a string, as Python accepts
     * @param separators null or a two-item list/tuple {@code (item_separator, key_separator)}
     */
    static String dumps(Object value, boolean ensureAscii, Object indent, Object separators, boolean sortKeys,
                        Budget budget) {
        String ind = switch (indent) {
            case null -> null;
            case String s -> s;
            case Long n -> " ".repeat((int) Math.max(0, Math.min(n, 1024)));
            case Boolean b -> b ? " " : "";
            default -> throw JinjaException.typeError("indent must be an int or a string");
        };
        String itemSep = ind == null ? ", " : ",";
        String keySep = ": ";
        if (separators != null) {
            if (!(separators instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof String a)
                || !(l.get(1) instanceof String b)) {
                throw new JinjaException("ValueError", "separators must be a pair of strings");
            }
            itemSep = a;
            keySep = b;
        }
        JsonDumper d = new JsonDumper(ensureAscii, ind, itemSep, keySep, sortKeys, budget);
        d.write(value, 0);
        return d.out.toString();
    }

    private void newline(int level) {
        if (indent != null) {
            out.append('\n');
            for (int i = 0; i < level; i++) {
                out.append(indent);
            }
        }
    }

    private void write(Object v, int level) {
        if (level > MAX_DEPTH) {
            throw new JinjaException("RecursionError", "maximum recursion depth exceeded while encoding a JSON object");
        }
        budget.checkLength(out.length());
        switch (v) {
            case null -> out.append("null");
            case Boolean b -> out.append(b ? "true" : "false");
            case Long l -> out.append(l);
            case Double d -> out.append(floatText(d));
            case String s -> string(s);
            case Markup m -> string(m.text());
            case List<?> l -> {
                if (l.isEmpty()) {
                    out.append("[]");
                    return;
                }
                out.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        out.append(itemSeparator);
                    }
                    newline(level + 1);
                    write(l.get(i), level + 1);
                }
                newline(level);
                out.append(']');
            }
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    out.append("{}");
                    return;
                }
                List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                if (sortKeys) {
                    entries.sort((x, y) -> PyOps.compare(x.getKey(), y.getKey(), "<"));
                }
                out.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : entries) {
                    if (!first) {
                        out.append(itemSeparator);
                    }
                    first = false;
                    newline(level + 1);
                    string(keyText(e.getKey()));
                    out.append(keySeparator);
                    write(e.getValue(), level + 1);
                }
                newline(level);
                out.append('}');
            }
            default -> throw JinjaException.typeError("Object of type " + PyRepr.typeName(v)
                + " is not JSON serializable");
        }
    }

    private static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PyRepr.floatRepr(d);
    }

    private static String keyText(Object k) {
        return switch (k) {
            case String s -> s;
            case null -> "null";
            case Boolean b -> b ? "true" : "false";
            case Long l -> l.toString();
            case Double d -> floatText(d);
            default -> throw JinjaException.typeError("keys must be str, int, float, bool or None, not "
                + PyRepr.typeName(k));
        };
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7E)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
