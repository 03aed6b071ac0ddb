package dev.infer4j.runtime.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Python methods of str, dict, list and tuple that templates call ({@code s.strip()}, {@code d.items()}, ...).
 * Mutating list and dict methods are refused as jinja2's {@code ImmutableSandboxedEnvironment} refuses them:
 * looking one up yields an undefined that raises {@code SecurityError} when called.
 */
final class Methods {
    private static final Set<String> UNSAFE_LIST = Set.of("append", "clear", "extend", "insert", "pop", "remove",
        "reverse", "sort");
    private static final Set<String> UNSAFE_DICT = Set.of("clear", "pop", "popitem", "setdefault", "update");
    private static final Object NONE = null;

    private Methods() {
    }

    /** The bound method, an unsafe-access undefined, or null when the type has no such attribute. */
    static Object bind(Interpreter in, Object obj, String name) {
        return switch (obj) {
            case String s -> stringMethod(in, s, name);
            case Markup m -> markupMethod(in, m, name);
            case Tuple t -> sequenceMethod(t, name);
            case List<?> l -> UNSAFE_LIST.contains(name) ? Undefined.unsafe(obj, name) : sequenceMethod(l, name);
            case Map<?, ?> m -> UNSAFE_DICT.contains(name) ? Undefined.unsafe(obj, name) : dictMethod(m, name);
            case null, default -> null;
        };
    }

    private static PyCallable sequenceMethod(List<?> l, String name) {
        return switch (name) {
            case "index" -> (args, kw) -> {
                Object[] a = new Signature("index", "value", Signature.REQUIRED).bind(args, kw);
                for (int i = 0; i < l.size(); i++) {
                    if (PyOps.equal(l.get(i), a[0])) {
                        return (long) i;
                    }
                }
                throw new JinjaException("ValueError", PyRepr.repr(a[0]) + " is not in list");
            };
            case "count" -> (args, kw) -> {
                Object[] a = new Signature("count", "value", Signature.REQUIRED).bind(args, kw);
                return l.stream().filter(x -> PyOps.equal(x, a[0])).count();
            };
            case "copy" -> (args, kw) -> new ArrayList<>(l);
            default -> null;
        };
    }

    private static PyCallable dictMethod(Map<?, ?> m, String name) {
        return switch (name) {
            case "get" -> (args, kw) -> {
                Object[] a = new Signature("get", "key", Signature.REQUIRED, "default", NONE).bind(args, kw);
                return m.containsKey(a[0]) ? m.get(a[0]) : a[1];
            };
            case "items" -> (args, kw) -> {
                List<Object> items = new ArrayList<>(m.size());
                m.forEach((k, v) -> items.add(new Tuple(java.util.Arrays.asList(k, v))));
                return new DictView("dict_items", items);
            };
            case "keys" -> (args, kw) -> new DictView("dict_keys", new ArrayList<>(m.keySet()));
            case "values" -> (args, kw) -> new DictView("dict_values", new ArrayList<>(m.values()));
            case "copy" -> (args, kw) -> new LinkedHashMap<>(m);
            default -> null;
        };
    }

    private static PyCallable stringMethod(Interpreter in, String s, String name) {
        return switch (name) {
            case "strip", "lstrip", "rstrip" -> (args, kw) -> {
                Object[] a = new Signature(name, "chars", NONE).bind(args, kw);
                String chars = Signature.optionalString(name, a[0]);
                return Py.strip(s, chars, !name.equals("rstrip"), !name.equals("lstrip"));
            };
            case "split", "rsplit" -> (args, kw) -> {
                Object[] a = new Signature(name, "sep", NONE, "maxsplit", -1L).bind(args, kw);
                String sep = Signature.optionalString(name, a[0]);
                long max = Signature.integer(name, a[1]);
                in.budget.charge(s.length());
                return new ArrayList<Object>(name.equals("split") ? Py.split(s, sep, max) : Py.rsplit(s, sep, max));
            };
            case "splitlines" -> (args, kw) -> {
                Object[] a = new Signature(name, "keepends", false).bind(args, kw);
                return new ArrayList<Object>(Py.splitlines(s, PyOps.truthy(a[0])));
            };
            case "startswith", "endswith" -> (args, kw) -> {
                Object[] a = new Signature(name, "prefix", Signature.REQUIRED, "start", NONE, "end", NONE)
                    .bind(args, kw);
                String target = a[1] == null && a[2] == null ? s : Py.slice(s,
                    a[1] == null ? null : Signature.integer(name, a[1]),
                    a[2] == null ? null : Signature.integer(name, a[2]), null);
                List<?> options = a[0] instanceof Tuple t ? t : List.of(a[0]);
                for (Object o : options) {
                    String p = Signature.string(name, o);
                    if (name.equals("startswith") ? target.startsWith(p) : target.endsWith(p)) {
                        return true;
                    }
                }
                return false;
            };
            case "replace" -> (args, kw) -> {
                Object[] a = new Signature(name, "old", Signature.REQUIRED, "new", Signature.REQUIRED, "count", -1L)
                    .bind(args, kw);
                return replace(in, s, Signature.string(name, a[0]), Signature.string(name, a[1]),
                    Signature.integer(name, a[2]));
            };
            case "upper" -> (args, kw) -> Py.upper(s);
            case "lower", "casefold" -> (args, kw) -> Py.lower(s);
            case "title" -> (args, kw) -> Py.title(s);
            case "capitalize" -> (args, kw) -> Py.capitalize(s);
            case "find", "rfind", "index", "rindex" -> (args, kw) -> {
                Object[] a = new Signature(name, "sub", Signature.REQUIRED).bind(args, kw);
                String sub = Signature.string(name, a[0]);
                int at = name.startsWith("r") ? s.lastIndexOf(sub) : s.indexOf(sub);
                if (at < 0 && name.contains("index")) {
                    throw new JinjaException("ValueError", "substring not found");
                }
                return at < 0 ? -1L : (long) s.codePointCount(0, at);
            };
            case "count" -> (args, kw) -> {
                Object[] a = new Signature(name, "sub", Signature.REQUIRED).bind(args, kw);
                String sub = Signature.string(name, a[0]);
                if (sub.isEmpty()) {
                    return (long) Py.length(s) + 1;
                }
                long n = 0;
                for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) {
                    n++;
                }
                return n;
            };
            case "join" -> (args, kw) -> {
                Object[] a = new Signature(name, "iterable", Signature.REQUIRED).bind(args, kw);
                List<String> parts = new ArrayList<>();
                long total = 0;
                for (Object o : PyOps.iterate(a[0])) {
                    if (!(o instanceof String p)) {
                        throw JinjaException.typeError("sequence item " + parts.size() + ": expected str instance, "
                            + PyRepr.typeName(o) + " found");
                    }
                    parts.add(p);
                    total += p.length() + s.length();
                }
                in.budget.checkLength(total);
                return String.join(s, parts);
            };
            case "isdigit", "isnumeric", "isdecimal" -> (args, kw) -> !s.isEmpty()
                && s.codePoints().allMatch(Character::isDigit);
            case "isalpha" -> (args, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            case "isalnum" -> (args, kw) -> !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            case "isspace" -> (args, kw) -> !s.isEmpty() && s.codePoints().allMatch(Py::isSpace);
            case "islower" -> (args, kw) -> hasCased(s) && s.equals(Py.lower(s));
            case "isupper" -> (args, kw) -> hasCased(s) && s.equals(Py.upper(s));
            case "removeprefix" -> (args, kw) -> {
                String p = Signature.string(name, new Signature(name, "prefix", Signature.REQUIRED).bind(args, kw)[0]);
                return s.startsWith(p) ? s.substring(p.length()) : s;
            };
            case "removesuffix" -> (args, kw) -> {
                String p = Signature.string(name, new Signature(name, "suffix", Signature.REQUIRED).bind(args, kw)[0]);
                return s.endsWith(p) && !p.isEmpty() ? s.substring(0, s.length() - p.length()) : s;
            };
            case "partition", "rpartition" -> (args, kw) -> {
                String sep = Signature.string(name, new Signature(name, "sep", Signature.REQUIRED).bind(args, kw)[0]);
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    return name.equals("partition") ? new Tuple(List.of(s, "", "")) : new Tuple(List.of("", "", s));
                }
                return new Tuple(List.of(s.substring(0, at), sep, s.substring(at + sep.length())));
            };
            case "zfill", "ljust", "rjust", "center" -> (args, kw) -> {
                Object[] a = new Signature(name, "width", Signature.REQUIRED, "fillchar", " ").bind(args, kw);
                long width = Signature.integer(name, a[0]);
                String fill = Signature.string(name, a[1]);
                in.budget.checkLength(width);
                return pad(s, (int) Math.max(0, width), name, fill);
            };
            default -> null;
        };
    }

    /** markupsafe re-wraps these str methods' results as Markup; the others return plain str values. */
    private static final Set<String> MARKUP_RESULT = Set.of("capitalize", "title", "lower", "upper", "replace",
        "ljust", "rjust", "lstrip", "rstrip", "center", "strip", "swapcase", "zfill", "casefold", "removeprefix",
        "removesuffix", "split", "rsplit", "splitlines", "partition", "rpartition");

    private static PyCallable markupMethod(Interpreter in, Markup m, String name) {
        PyCallable plain = stringMethod(in, m.text(), name);
        if (plain == null || !MARKUP_RESULT.contains(name)) {
            return plain;
        }
        return (args, kw) -> {
            List<Object> escaped = new ArrayList<>();
            for (Object a : args) {
                escaped.add(a instanceof String || a instanceof Markup ? Markup.escape(a).text() : a);
            }
            Object result = plain.call(escaped, kw);
            return switch (result) {
                case String s -> new Markup(s);
                case Tuple t -> new Tuple(t.stream().map(x -> (Object) new Markup((String) x)).toList());
                case List<?> l -> new ArrayList<>(l.stream().map(x -> (Object) new Markup((String) x)).toList());
                case null, default -> result;
            };
        };
    }

    private static boolean hasCased(String s) {
        return s.codePoints().anyMatch(c -> Character.isUpperCase(c) || Character.isLowerCase(c));
    }

    static String replace(Interpreter in, String s, String old, String replacement, long count) {
        if (old.isEmpty()) {
            List<String> chars = Py.chars(s);
            StringBuilder b = new StringBuilder();
            long done = 0;
            for (String c : chars) {
                if (count < 0 || done < count) {
                    b.append(replacement);
                    done++;
                }
                b.append(c);
            }
            if (count < 0 || done < count) {
                b.append(replacement);
            }
            in.budget.checkLength(b.length());
            return b.toString();
        }
        StringBuilder b = new StringBuilder();
        int from = 0;
        long done = 0;
        while (count < 0 || done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            b.append(s, from, at).append(replacement);
            in.budget.checkLength(b.length());
            from = at + old.length();
            done++;
        }
        b.append(s, from, s.length());
        in.budget.checkLength(b.length());
        return b.toString();
    }

    private static String pad(String s, int width, String how, String fill) {
        int n = Py.length(s);
        if (n >= width) {
            return s;
        }
        int total = width - n;
        return switch (how) {
            case "zfill" -> {
                boolean sign = !s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+');
                yield sign ? s.charAt(0) + "0".repeat(total) + s.substring(1) : "0".repeat(total) + s;
            }
            case "ljust" -> s + fill.repeat(total);
            case "rjust" -> fill.repeat(total) + s;
            default -> {
                int left = total / 2 + (total & width & 1);
                yield fill.repeat(left) + s + fill.repeat(total - left);
            }
        };
    }
}
