package dev.infer4j.runtime.chat.jinja;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** jinja2's built-in tests ({@code is defined}, {@code is string}, {@code is equalto x}, ...). */
final class Tests {
    private Tests() {
    }

    private static final Set<String> NAMES = Set.of("defined", "undefined", "none", "string", "mapping", "number",
        "integer", "float", "boolean", "true", "false", "callable", "iterable", "sequence", "lower", "upper",
        "escaped", "odd", "even", "divisibleby", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=",
        "gt", "greaterthan", ">", "ge", ">=", "in", "sameas", "filter", "test");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(Interpreter in, String name, Object value, List<Object> args, Map<String, Object> kw) {
        Object v = Markup.plain(value);
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map;
            case "number" -> PyOps.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "callable" -> v instanceof PyCallable;
            case "iterable" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof OneShot
                || v instanceof DictView || v instanceof Undefined;
            case "sequence" -> v instanceof String || v instanceof List || v instanceof Map || v instanceof Undefined;
            case "lower" -> v instanceof String s ? s.equals(Py.lower(s)) : PyRepr.str(v).equals(Py.lower(PyRepr.str(v)));
            case "upper" -> v instanceof String s ? s.equals(Py.upper(s)) : PyRepr.str(v).equals(Py.upper(PyRepr.str(v)));
            case "escaped" -> false;
            case "odd", "even" -> {
                long n = Signature.integer(name, v);
                yield (Math.floorMod(n, 2) == 1) == name.equals("odd");
            }
            case "divisibleby" -> {
                Object[] a = new Signature(name, "num", Signature.REQUIRED).bind(args, kw);
                long d = Signature.integer(name, a[0]);
                if (d == 0) {
                    throw new JinjaException("ZeroDivisionError", "integer division or modulo by zero");
                }
                yield Math.floorMod(Signature.integer(name, v), d) == 0;
            }
            case "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt", "greaterthan", ">",
                 "ge", ">=", "in", "sameas" -> {
                Object other = new Signature(name, "other", Signature.REQUIRED).bind(args, kw)[0];
                yield switch (name) {
                    case "eq", "equalto", "==" -> PyOps.equal(v, other);
                    case "ne", "!=" -> !PyOps.equal(v, other);
                    case "lt", "lessthan", "<" -> PyOps.compare(v, other, "<") < 0;
                    case "le", "<=" -> PyOps.compare(v, other, "<=") <= 0;
                    case "gt", "greaterthan", ">" -> PyOps.compare(v, other, ">") > 0;
                    case "ge", ">=" -> PyOps.compare(v, other, ">=") >= 0;
                    case "in" -> PyOps.contains(other, v);
                    default -> v == other || (v != null && other != null && v.getClass() == other.getClass()
                        && (v instanceof Boolean || v instanceof Long) && v.equals(other));
                };
            }
            case "filter" -> Filters.exists(Signature.string(name, v));
            case "test" -> exists(Signature.string(name, v));
            default -> throw new JinjaException("TemplateRuntimeError", "No test named '" + name + "' found.");
        };
    }
}
