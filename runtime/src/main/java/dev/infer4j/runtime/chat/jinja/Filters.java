package dev.infer4j.runtime.chat.jinja;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jinja2's built-in filters with their Python results, plus Hugging Face's {@code tojson} override
 * ({@code json.dumps} with {@code ensure_ascii=False} by default and no HTML escaping).
 */
final class Filters {
    private static final Set<String> NAMES = Set.of("abs", "attr", "batch", "capitalize", "center", "count", "d",
        "default", "dictsort", "e", "escape", "first", "float", "forceescape", "format", "indent", "int", "items",
        "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse",
        "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "truncate",
        "unique", "upper", "wordcount");
    private static final Pattern WORD = Pattern.compile("\\w+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WORD_BEGINNING_SPLIT = Pattern.compile("([-\\s({\\[<]+)",
        Pattern.UNICODE_CHARACTER_CLASS);
    private static final Object NONE = null;

    private Filters() {
    }

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static Object apply(Interpreter in, String name, Object v, List<Object> args, Map<String, Object> kw) {
        return switch (name) {
            case "tojson" -> {
                Object[] a = new Signature(name, "ensure_ascii", false, "indent", NONE, "separators", NONE,
                    "sort_keys", false).bind(args, kw);
                yield JsonDumper.dumps(v, PyOps.truthy(a[0]), a[1], a[2], PyOps.truthy(a[3]), in.budget);
            }
            case "length", "count" -> PyOps.length(v);
            case "string" -> v instanceof Markup ? v : PyRepr.str(v);
            case "safe" -> v instanceof Markup ? v : new Markup(PyRepr.str(v));
            case "trim" -> {
                Object[] a = new Signature(name, "chars", NONE).bind(args, kw);
                String trimmed = Py.strip(PyRepr.str(v), Signature.optionalString(name, a[0]), true, true);
                yield v instanceof Markup ? new Markup(trimmed) : trimmed;
            }
            case "upper" -> keepMarkup(v, Py.upper(PyRepr.str(v)));
            case "lower" -> keepMarkup(v, Py.lower(PyRepr.str(v)));
            case "capitalize" -> keepMarkup(v, Py.capitalize(PyRepr.str(v)));
            case "title" -> keepMarkup(v, title(PyRepr.str(v)));
            case "d", "default" -> {
                Object[] a = new Signature(name, "default_value", "", "boolean", false).bind(args, kw);
                yield v instanceof Undefined || (PyOps.truthy(a[1]) && !PyOps.truthy(v)) ? a[0] : v;
            }
            case "join" -> {
                Object[] a = new Signature(name, "d", "", "attribute", NONE).bind(args, kw);
                List<Object> items = PyOps.iterate(v);
                if (a[1] != null) {
                    items = mapAll(items, attrGetter(in, a[1], null));
                }
                String sep = PyRepr.str(a[0]);
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < items.size(); i++) {
                    if (i > 0) {
                        b.append(sep);
                    }
                    b.append(PyRepr.str(items.get(i)));
                    in.budget.checkLength(b.length());
                }
                yield b.toString();
            }
            case "replace" -> {
                Object[] a = new Signature(name, "old", Signature.REQUIRED, "new", Signature.REQUIRED, "count", NONE)
                    .bind(args, kw);
                yield Methods.replace(in, PyRepr.str(v), PyRepr.str(a[0]), PyRepr.str(a[1]),
                    a[2] == null ? -1 : Signature.integer(name, a[2]));
            }
            case "items" -> {
                if (v instanceof Undefined) {
                    yield new OneShot("generator", List.of());
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw JinjaException.typeError("Can only get item pairs from a mapping.");
                }
                List<Object> items = new ArrayList<>();
                m.forEach((k, x) -> items.add(new Tuple(Arrays.asList(k, x))));
                yield new OneShot("dict_itemiterator", items);
            }
            case "list" -> new ArrayList<>(PyOps.iterate(v));
            case "first" -> {
                List<Object> items = PyOps.iterate(v);
                yield items.isEmpty() ? new Undefined("No first item, sequence was empty.", "UndefinedError")
                    : items.getFirst();
            }
            case "last" -> {
                if (v instanceof OneShot o) {
                    throw JinjaException.typeError("'" + o.typeName() + "' object is not reversible");
                }
                List<Object> items = PyOps.iterate(v);
                yield items.isEmpty() ? new Undefined("No last item, sequence was empty.", "UndefinedError")
                    : items.getLast();
            }
            case "reverse" -> {
                if (v instanceof String s) {
                    yield Py.slice(s, null, null, -1L);
                }
                List<Object> items = new ArrayList<>(PyOps.iterate(v));
                java.util.Collections.reverse(items);
                yield v instanceof List<?> ? new OneShot("list_reverseiterator", items) : items;
            }
            case "map" -> {
                List<Object> items = lazyItems(v);
                if (args.isEmpty() && kw.containsKey("attribute")) {
                    Object[] a = new Signature(name, "attribute", Signature.REQUIRED, "default", NONE).bind(args, kw);
                    yield new OneShot("generator", mapAll(items, attrGetter(in, a[0], a[1])));
                }
                if (args.isEmpty()) {
                    throw JinjaException.typeError("map() requires a filter name or attribute=");
                }
                String filter = Signature.string(name, args.getFirst());
                List<Object> rest = args.subList(1, args.size());
                yield new OneShot("generator", mapAll(items, x -> apply(in, filter, x, rest, kw)));
            }
            case "select", "reject" -> {
                List<Object> items = lazyItems(v);
                yield new OneShot("generator", selectOrReject(in, items, args, kw, x -> x, name.equals("select")));
            }
            case "selectattr", "rejectattr" -> {
                if (args.isEmpty()) {
                    throw JinjaException.typeError(name + "() requires an attribute name");
                }
                Function<Object, Object> getter = attrGetter(in, args.getFirst(), null);
                List<Object> items = lazyItems(v);
                yield new OneShot("generator", selectOrReject(in, items, args.subList(1, args.size()), kw, getter,
                    name.equals("selectattr")));
            }
            case "sort" -> {
                Object[] a = new Signature(name, "reverse", false, "case_sensitive", false, "attribute", NONE)
                    .bind(args, kw);
                List<Object> items = new ArrayList<>(PyOps.iterate(v));
                Function<Object, Object> key = sortKey(in, a[2], PyOps.truthy(a[1]));
                sort(items, key, PyOps.truthy(a[0]));
                yield items;
            }
            case "dictsort" -> {
                Object[] a = new Signature(name, "case_sensitive", false, "by", "key", "reverse", false)
                    .bind(args, kw);
                if (!(v instanceof Map<?, ?> m)) {
                    throw JinjaException.typeError("dictsort expects a mapping");
                }
                int pos = switch (PyRepr.str(a[1])) {
                    case "key" -> 0;
                    case "value" -> 1;
                    default -> throw new JinjaException("FilterArgumentError",
                        "You can only sort by either \"key\" or \"value\"");
                };
                List<Object> items = new ArrayList<>();
                m.forEach((k, x) -> items.add(new Tuple(Arrays.asList(k, x))));
                boolean caseSensitive = PyOps.truthy(a[0]);
                sort(items, t -> {
                    Object x = ((Tuple) t).get(pos);
                    return !caseSensitive && x instanceof String s ? Py.lower(s) : x;
                }, PyOps.truthy(a[2]));
                yield items;
            }
            case "unique" -> {
                Object[] a = new Signature(name, "case_sensitive", false, "attribute", NONE).bind(args, kw);
                Function<Object, Object> key = sortKey(in, a[1], PyOps.truthy(a[0]));
                List<Object> out = new ArrayList<>();
                List<Object> seen = new ArrayList<>();
                for (Object x : PyOps.iterate(v)) {
                    Object k = key.apply(x);
                    if (seen.stream().noneMatch(s -> PyOps.equal(s, k))) {
                        in.budget.charge(seen.size());
                        seen.add(k);
                        out.add(x);
                    }
                }
                yield new OneShot("generator", out);
            }
            case "min", "max" -> {
                Object[] a = new Signature(name, "case_sensitive", false, "attribute", NONE).bind(args, kw);
                List<Object> items = new ArrayList<>(PyOps.iterate(v));
                if (items.isEmpty()) {
                    yield new Undefined("No aggregated item, sequence was empty.", "UndefinedError");
                }
                Function<Object, Object> key = sortKey(in, a[1], PyOps.truthy(a[0]));
                Object best = items.getFirst();
                for (Object x : items) {
                    int c = PyOps.compare(key.apply(x), key.apply(best), "<");
                    if (name.equals("min") ? c < 0 : c > 0) {
                        best = x;
                    }
                }
                yield best;
            }
            case "sum" -> {
                Object[] a = new Signature(name, "attribute", NONE, "start", 0L).bind(args, kw);
                List<Object> items = PyOps.iterate(v);
                if (a[0] != null) {
                    items = mapAll(items, attrGetter(in, a[0], null));
                }
                Object total = a[1];
                for (Object x : items) {
                    total = PyOps.binary("+", total, x, in.budget);
                }
                yield total;
            }
            case "abs" -> switch (v) {
                case Long l -> Math.absExact(l);
                case Double d -> Math.abs(d);
                case Boolean b -> b ? 1L : 0L;
                case null, default -> throw JinjaException.typeError("bad operand type for abs(): '" + PyRepr.typeName(v) + "'");
            };
            case "int" -> {
                Object[] a = new Signature(name, "default", 0L, "base", 10L).bind(args, kw);
                yield toInt(v, a[0], (int) Signature.integer(name, a[1]));
            }
            case "float" -> {
                Object[] a = new Signature(name, "default", 0.0).bind(args, kw);
                yield toFloat(v, a[0]);
            }
            case "round" -> {
                Object[] a = new Signature(name, "precision", 0L, "method", "common").bind(args, kw);
                yield round(v, (int) Signature.integer(name, a[0]), PyRepr.str(a[1]));
            }
            case "indent" -> {
                Object[] a = new Signature(name, "width", 4L, "first", false, "blank", false).bind(args, kw);
                yield indent(in, PyRepr.str(v), a[0], PyOps.truthy(a[1]), PyOps.truthy(a[2]));
            }
            case "center" -> {
                Object[] a = new Signature(name, "width", 80L).bind(args, kw);
                Object centered = Methods.bind(in, PyRepr.str(v), "center");
                yield in.call(centered, List.of(a[0]), Map.of());
            }
            case "e", "escape" -> Markup.escape(v);
            case "forceescape" -> new Markup(Markup.escapeText(PyRepr.str(v)));
            case "attr" -> {
                Object[] a = new Signature(name, "name", Signature.REQUIRED).bind(args, kw);
                yield in.getAttr(v, Signature.string(name, a[0]));
            }
            case "format" -> PercentFormat.format(PyRepr.str(v), kw.isEmpty() ? new Tuple(args)
                : new LinkedHashMap<Object, Object>(kw), in.budget);
            case "wordcount" -> {
                Matcher m = WORD.matcher(PyRepr.str(v));
                long n = 0;
                while (m.find()) {
                    n++;
                }
                yield n;
            }
            case "truncate" -> {
                Object[] a = new Signature(name, "length", 255L, "killwords", false, "end", "...", "leeway", NONE)
                    .bind(args, kw);
                yield truncate(PyRepr.str(v), Signature.integer(name, a[0]), PyOps.truthy(a[1]), PyRepr.str(a[2]),
                    a[3] == null ? 5 : Signature.integer(name, a[3]));
            }
            case "batch" -> {
                Object[] a = new Signature(name, "linecount", Signature.REQUIRED, "fill_with", NONE).bind(args, kw);
                long size = Signature.integer(name, a[0]);
                if (size <= 0) {
                    throw new JinjaException("ValueError", "batch size must be positive");
                }
                List<Object> out = new ArrayList<>();
                List<Object> current = new ArrayList<>();
                for (Object x : PyOps.iterate(v)) {
                    current.add(x);
                    if (current.size() == size) {
                        out.add(current);
                        current = new ArrayList<>();
                    }
                }
                if (!current.isEmpty()) {
                    if (a[1] != null) {
                        while (current.size() < size) {
                            current.add(a[1]);
                        }
                    }
                    out.add(current);
                }
                yield new OneShot("generator", out);
            }
            default -> throw new JinjaException("TemplateRuntimeError", "No filter named '" + name + "' found.");
        };
    }

    /** jinja2's map/select family start with {@code if value:}, so a false value (None, empty) yields nothing. */
    private static List<Object> lazyItems(Object v) {
        return PyOps.truthy(v) ? PyOps.iterate(v) : List.of();
    }

    private static Object keepMarkup(Object original, String result) {
        return original instanceof Markup ? new Markup(result) : result;
    }

    private static List<Object> mapAll(List<Object> items, Function<Object, Object> f) {
        List<Object> out = new ArrayList<>(items.size());
        for (Object x : items) {
            out.add(f.apply(x));
        }
        return out;
    }

    private static List<Object> selectOrReject(Interpreter in, List<Object> items, List<Object> args,
                                               Map<String, Object> kw, Function<Object, Object> getter,
                                               boolean select) {
        List<Object> out = new ArrayList<>();
        for (Object x : items) {
            in.budget.charge(1);
            Object value = getter.apply(x);
            boolean pass;
            if (args.isEmpty()) {
                pass = PyOps.truthy(value);
            } else {
                String test = Signature.string("select", args.getFirst());
                pass = Tests.apply(in, test, value, args.subList(1, args.size()), kw);
            }
            if (pass == select) {
                out.add(x);
            }
        }
        return out;
    }

    /** jinja2's {@code make_attrgetter}: dotted path, integer parts index, each step uses subscript semantics. */
    private static Function<Object, Object> attrGetter(Interpreter in, Object attribute, Object dflt) {
        List<Object> parts = new ArrayList<>();
        if (attribute instanceof String s) {
            for (String p : s.split("\\.", -1)) {
                parts.add(!p.isEmpty() && p.chars().allMatch(Character::isDigit) ? (Object) Long.parseLong(p) : p);
            }
        } else {
            parts.add(attribute);
        }
        return x -> {
            Object cur = x;
            for (Object p : parts) {
                cur = in.getItem(cur, p);
            }
            return dflt != null && cur instanceof Undefined ? dflt : cur;
        };
    }

    private static Function<Object, Object> sortKey(Interpreter in, Object attribute, boolean caseSensitive) {
        Function<Object, Object> get = attribute == null ? x -> x : attrGetter(in, attribute, null);
        return x -> {
            Object k = get.apply(x);
            return !caseSensitive && k instanceof String s ? Py.lower(s) : k;
        };
    }

    private static void sort(List<Object> items, Function<Object, Object> key, boolean reverse) {
        List<Object> keys = mapAll(items, key);
        Integer[] order = new Integer[items.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Comparator<Integer> cmp = (x, y) -> PyOps.compare(keys.get(x), keys.get(y), "<");
        // Python's sort with reverse=True keeps equal items in their original order, as a stable sort on the
        // negated comparison does.
        Arrays.sort(order, reverse ? (x, y) -> cmp.compare(y, x) : cmp);
        List<Object> sorted = new ArrayList<>(items.size());
        for (Integer i : order) {
            sorted.add(items.get(i));
        }
        items.clear();
        items.addAll(sorted);
    }

    private static String title(String s) {
        StringBuilder b = new StringBuilder();
        Matcher m = WORD_BEGINNING_SPLIT.matcher(s);
        int last = 0;
        while (m.find()) {
            titleWord(s.substring(last, m.start()), b);
            b.append(m.group());
            last = m.end();
        }
        titleWord(s.substring(last), b);
        return b.toString();
    }

    private static void titleWord(String w, StringBuilder b) {
        if (!w.isEmpty()) {
            int first = w.codePointAt(0);
            b.append(Py.upper(new String(Character.toChars(first))));
            b.append(Py.lower(w.substring(Character.charCount(first))));
        }
    }

    private static Object toInt(Object v, Object dflt, int base) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        if (v instanceof String s) {
            String t = Py.strip(s, null, true, true).replace("_", "");
            try {
                if (base == 16 && (t.startsWith("0x") || t.startsWith("0X"))) {
                    t = t.substring(2);
                }
                return Long.parseLong(t, base);
            } catch (NumberFormatException e) {
                try {
                    return (long) Double.parseDouble(t);
                } catch (NumberFormatException e2) {
                    return dflt;
                }
            }
        }
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> Double.isFinite(d) ? (Object) (long) (double) d : dflt;
            case null, default -> dflt;
        };
    }

    private static Object toFloat(Object v, Object dflt) {
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        if (v instanceof String s) {
            String t = Py.strip(s, null, true, true);
            try {
                return switch (Py.lower(t)) {
                    case "nan", "+nan", "-nan" -> Double.NaN;
                    case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
                    case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                    default -> {
                        if (t.isEmpty() || !t.matches("[+-]?(\\d[\\d_]*)?(\\.\\d*)?([eE][+-]?\\d+)?")) {
                            yield dflt;
                        }
                        yield Double.parseDouble(t.replace("_", ""));
                    }
                };
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return PyOps.isNumber(v) ? (Object) PyOps.toDouble(v) : dflt;
    }

    private static Object round(Object v, int precision, String method) {
        if (!PyOps.isNumber(v)) {
            throw JinjaException.typeError("type " + PyRepr.typeName(v) + " doesn't define __round__ method");
        }
        double d = PyOps.toDouble(v);
        if (!Double.isFinite(d)) {
            return d;
        }
        RoundingMode mode = switch (method) {
            case "common" -> RoundingMode.HALF_EVEN;
            case "ceil" -> RoundingMode.CEILING;
            case "floor" -> RoundingMode.FLOOR;
            default -> throw new JinjaException("FilterArgumentError", "method must be common, ceil or floor");
        };
        double r = new BigDecimal(d).setScale(precision, mode).doubleValue();
        return method.equals("common") && PyOps.isInt(v) ? (Object) PyOps.toLong(v) : (Object) r;
    }

    private static String indent(Interpreter in, String s, Object width, boolean first, boolean blank) {
        String indention = width instanceof String w ? w : " ".repeat((int) Math.max(0,
            Math.min(Signature.integer("indent", width), 4096)));
        List<String> lines = Py.splitlines(s + "\n", false);
        StringBuilder b = new StringBuilder();
        if (blank) {
            for (int i = 0; i < lines.size(); i++) {
                if (i > 0) {
                    b.append('\n').append(indention);
                }
                b.append(lines.get(i));
            }
        } else {
            b.append(lines.getFirst());
            for (int i = 1; i < lines.size(); i++) {
                b.append('\n');
                if (!lines.get(i).isEmpty()) {
                    b.append(indention);
                }
                b.append(lines.get(i));
                in.budget.checkLength(b.length());
            }
        }
        if (first) {
            b.insert(0, indention);
        }
        in.budget.checkLength(b.length());
        return b.toString();
    }

    private static String truncate(String s, long length, boolean killwords, String end, long leeway) {
        if (length < Py.length(end)) {
            throw new JinjaException("AssertionError", "expected length >= " + Py.length(end) + ", got " + length);
        }
        if (Py.length(s) <= length + leeway) {
            return s;
        }
        String cut = Py.slice(s, null, length - Py.length(end), null);
        if (killwords) {
            return cut + end;
        }
        int space = cut.lastIndexOf(' ');
        return (space >= 0 ? cut.substring(0, space) : cut) + end;
    }
}
