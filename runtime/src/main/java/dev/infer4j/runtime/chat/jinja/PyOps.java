package dev.infer4j.runtime.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's operators, truthiness, equality, ordering, iteration and {@code len()} over template values. */
final class PyOps {
    private static final int MAX_DEPTH = 1000;

    private PyOps() {
    }

    static boolean truthy(Object value) {
        Object v = Markup.plain(value);
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case DictView d -> !d.items().isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static boolean isInt(Object v) {
        return v instanceof Long || v instanceof Boolean;
    }

    static long toLong(Object v) {
        return v instanceof Boolean b ? (b ? 1 : 0) : (Long) v;
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Boolean b -> b ? 1 : 0;
            case Long l -> l;
            case Double d -> d;
            case null, default -> throw JinjaException.typeError("must be real number, not " + PyRepr.typeName(v));
        };
    }

    /** Python index semantics: bool is an int. */
    static Long asIndex(Object v) {
        return isInt(v) ? toLong(v) : null;
    }

    static boolean equal(Object a, Object b) {
        return equal(Markup.plain(a), Markup.plain(b), 0);
    }

    private static boolean equal(Object a, Object b, int depth) {
        if (depth > MAX_DEPTH) {
            throw new JinjaException("RecursionError", "maximum recursion depth exceeded in comparison");
        }
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return toLong(a) == toLong(b);
            }
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof String s) {
            return s.equals(b);
        }
        if (a instanceof Tuple != b instanceof Tuple) {
            return false;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!equal(x.get(i), y.get(i), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                if (!y.containsKey(e.getKey()) || !equal(e.getValue(), y.get(e.getKey()), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) {
            return true;
        }
        return a.equals(b);
    }

    /** Python's ordering for {@code <}, {@code >}, {@code sort}: numbers, strings by code point, lists. */
    static int compare(Object left, Object right, String op) {
        Object a = Markup.plain(left);
        Object b = Markup.plain(right);
        if (a instanceof Undefined u) {
            throw u.fail();
        }
        if (b instanceof Undefined u) {
            throw u.fail();
        }
        if (isNumber(a) && isNumber(b)) {
            if (isInt(a) && isInt(b)) {
                return Long.compare(toLong(a), toLong(b));
            }
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String x && b instanceof String y) {
            return compareCodePoints(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof Tuple == b instanceof Tuple)) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!equal(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), op);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw JinjaException.typeError("'" + op + "' not supported between instances of '" + PyRepr.typeName(a)
            + "' and '" + PyRepr.typeName(b) + "'");
    }

    static int compareCodePoints(String x, String y) {
        int i = 0;
        int j = 0;
        while (i < x.length() && j < y.length()) {
            int a = x.codePointAt(i);
            int b = y.codePointAt(j);
            if (a != b) {
                return Integer.compare(a, b);
            }
            i += Character.charCount(a);
            j += Character.charCount(b);
        }
        return Boolean.compare(i < x.length(), j < y.length());
    }

    static boolean compareOp(String op, Object a, Object b) {
        return switch (op) {
            case "==" -> equal(a, b);
            case "!=" -> !equal(a, b);
            case "<" -> compare(a, b, op) < 0;
            case "<=" -> compare(a, b, op) <= 0;
            case ">" -> compare(a, b, op) > 0;
            case ">=" -> compare(a, b, op) >= 0;
            case "in" -> contains(b, a);
            case "not in" -> !contains(b, a);
            default -> throw new IllegalStateException(op);
        };
    }

    static boolean contains(Object containerValue, Object itemValue) {
        Object container = Markup.plain(containerValue);
        Object item = Markup.plain(itemValue);
        return switch (container) {
            case String s -> {
                if (!(item instanceof String x)) {
                    throw JinjaException.typeError("'in <string>' requires string as left operand, not "
                        + PyRepr.typeName(item));
                }
                yield s.contains(x);
            }
            case Map<?, ?> m -> m.containsKey(item);
            case Undefined u -> false;
            case null, default -> {
                for (Object o : iterate(container)) {
                    if (equal(o, item)) {
                        yield true;
                    }
                }
                yield false;
            }
        };
    }

    /** {@code iter(v)} materialised: a dict yields its keys, a string its characters. */
    static List<Object> iterate(Object value) {
        Object v = Markup.plain(value);
        return switch (v) {
            case List<?> l -> List.copyOf(nullSafe(l));
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> new ArrayList<>(Py.chars(s));
            case DictView d -> d.items();
            case OneShot o -> o.consume();
            case Undefined u -> List.of();
            case null, default -> throw JinjaException.typeError("'" + PyRepr.typeName(v) + "' object is not iterable");
        };
    }

    @SuppressWarnings("unchecked")
    private static List<Object> nullSafe(List<?> l) {
        // List.copyOf refuses nulls, and None is a legal element.
        return l.contains(null) ? java.util.Collections.unmodifiableList(new ArrayList<>(l)) : (List<Object>) l;
    }

    static long length(Object value) {
        Object v = Markup.plain(value);
        return switch (v) {
            case String s -> Py.length(s);
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case DictView d -> d.items().size();
            case Undefined u -> 0;
            case null, default -> throw JinjaException.typeError("object of type '" + PyRepr.typeName(v) + "' has no len()");
        };
    }

    static Object binary(String op, Object left, Object right, Budget budget) {
        if (left instanceof Undefined u) {
            throw u.fail();
        }
        if (right instanceof Undefined u) {
            throw u.fail();
        }
        if (left instanceof Markup || right instanceof Markup) {
            Object markup = markupBinary(op, left, right, budget);
            if (markup != null) {
                return markup;
            }
        }
        Object a = Markup.plain(left);
        Object b = Markup.plain(right);
        boolean numbers = isNumber(a) && isNumber(b);
        boolean ints = isInt(a) && isInt(b);
        switch (op) {
            case "+" -> {
                if (ints) {
                    return Math.addExact(toLong(a), toLong(b));
                }
                if (numbers) {
                    return toDouble(a) + toDouble(b);
                }
                if (a instanceof String x && b instanceof String y) {
                    budget.checkLength((long) x.length() + y.length());
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y && (a instanceof Tuple == b instanceof Tuple)) {
                    budget.checkLength((long) x.size() + y.size());
                    List<Object> out = new ArrayList<>(x);
                    out.addAll(y);
                    return a instanceof Tuple ? new Tuple(out) : out;
                }
                if (a instanceof String || a instanceof List) {
                    throw JinjaException.typeError("can only concatenate " + PyRepr.typeName(a) + " (not \""
                        + PyRepr.typeName(b) + "\") to " + PyRepr.typeName(a));
                }
            }
            case "-" -> {
                if (ints) {
                    return Math.subtractExact(toLong(a), toLong(b));
                }
                if (numbers) {
                    return toDouble(a) - toDouble(b);
                }
            }
            case "*" -> {
                if (ints) {
                    return Math.multiplyExact(toLong(a), toLong(b));
                }
                if (numbers) {
                    return toDouble(a) * toDouble(b);
                }
                if (a instanceof String s && isInt(b)) {
                    return Py.repeat(s, toLong(b), budget);
                }
                if (b instanceof String s && isInt(a)) {
                    return Py.repeat(s, toLong(a), budget);
                }
                if (a instanceof List<?> l && isInt(b)) {
                    return repeat(l, toLong(b), budget, a instanceof Tuple);
                }
                if (b instanceof List<?> l && isInt(a)) {
                    return repeat(l, toLong(a), budget, b instanceof Tuple);
                }
            }
            case "/" -> {
                if (numbers) {
                    double d = toDouble(b);
                    if (d == 0) {
                        throw new JinjaException("ZeroDivisionError", "division by zero");
                    }
                    return toDouble(a) / d;
                }
            }
            case "//" -> {
                if (ints) {
                    long d = toLong(b);
                    if (d == 0) {
                        throw new JinjaException("ZeroDivisionError", "integer division or modulo by zero");
                    }
                    return Math.floorDiv(toLong(a), d);
                }
                if (numbers) {
                    double d = toDouble(b);
                    if (d == 0) {
                        throw new JinjaException("ZeroDivisionError", "float floor division by zero");
                    }
                    return Math.floor(toDouble(a) / d);
                }
            }
            case "%" -> {
                if (ints) {
                    long d = toLong(b);
                    if (d == 0) {
                        throw new JinjaException("ZeroDivisionError", "integer division or modulo by zero");
                    }
                    return Math.floorMod(toLong(a), d);
                }
                if (numbers) {
                    double x = toDouble(a);
                    double d = toDouble(b);
                    if (d == 0) {
                        throw new JinjaException("ZeroDivisionError", "float modulo");
                    }
                    double m = x % d;
                    return m != 0 && (m < 0) != (d < 0) ? m + d : m;
                }
                if (a instanceof String s) {
                    return PercentFormat.format(s, b, budget);
                }
            }
            case "**" -> {
                if (ints && toLong(b) >= 0) {
                    return power(toLong(a), toLong(b));
                }
                if (numbers) {
                    return Math.pow(toDouble(a), toDouble(b));
                }
            }
            default -> throw new IllegalStateException(op);
        }
        throw JinjaException.typeError("unsupported operand type(s) for " + op + ": '" + PyRepr.typeName(a)
            + "' and '" + PyRepr.typeName(b) + "'");
    }

    /** Markup + str escapes the str (from either side); Markup * n stays Markup; null when not a Markup case. */
    private static Object markupBinary(String op, Object a, Object b, Budget budget) {
        if (op.equals("+") && (a instanceof String || a instanceof Markup) && (b instanceof String || b instanceof Markup)) {
            String x = Markup.escape(a).text();
            String y = Markup.escape(b).text();
            budget.checkLength((long) x.length() + y.length());
            return new Markup(x + y);
        }
        if (op.equals("*") && a instanceof Markup m && isInt(b)) {
            return new Markup(Py.repeat(m.text(), toLong(b), budget));
        }
        if (op.equals("*") && b instanceof Markup m && isInt(a)) {
            return new Markup(Py.repeat(m.text(), toLong(a), budget));
        }
        return null;
    }

    private static List<Object> repeat(List<?> l, long n, Budget budget, boolean tuple) {
        List<Object> out = new ArrayList<>();
        if (n > 0) {
            budget.checkLength(l.size() * n);
            for (long i = 0; i < n; i++) {
                out.addAll(l);
            }
        }
        return tuple ? new Tuple(out) : out;
    }

    private static long power(long base, long exp) {
        long result = 1;
        long b = base;
        long e = exp;
        while (e > 0) {
            if ((e & 1) != 0) {
                result = Math.multiplyExact(result, b);
            }
            e >>= 1;
            if (e > 0) {
                b = Math.multiplyExact(b, b);
            }
        }
        return result;
    }

    static Object negate(Object v) {
        return switch (v) {
            case Boolean b -> b ? -1L : 0L;
            case Long l -> Math.negateExact(l);
            case Double d -> -d;
            case Undefined u -> throw u.fail();
            case null, default -> throw JinjaException.typeError("bad operand type for unary -: '" + PyRepr.typeName(v) + "'");
        };
    }

    static Object plus(Object v) {
        return switch (v) {
            case Boolean b -> b ? 1L : 0L;
            case Long l -> l;
            case Double d -> d;
            case Undefined u -> throw u.fail();
            case null, default -> throw JinjaException.typeError("bad operand type for unary +: '" + PyRepr.typeName(v) + "'");
        };
    }
}
