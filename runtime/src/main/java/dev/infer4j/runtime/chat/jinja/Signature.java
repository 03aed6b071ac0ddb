package dev.infer4j.runtime.chat.jinja;

import java.util.List;
import java.util.Map;

/** Binds positional and keyword arguments to a Python-style parameter list with defaults. */
final class Signature {
    /** Marks a parameter without a default. */
    static final Object REQUIRED = new Object();

    private final String function;
    private final String[] names;
    private final Object[] defaults;

    /** {@code nameDefaultPairs} alternates a parameter name and its default ({@link #REQUIRED} for none). */
    Signature(String function, Object... nameDefaultPairs) {
        this.function = function;
        this.names = new String[nameDefaultPairs.length / 2];
        this.defaults = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = (String) nameDefaultPairs[2 * i];
            defaults[i] = nameDefaultPairs[2 * i + 1];
        }
    }

    Object[] bind(List<Object> args, Map<String, Object> kwargs) {
        if (args.size() > names.length) {
            throw JinjaException.typeError(function + "() takes at most " + names.length + " arguments ("
                + args.size() + " given)");
        }
        Object[] out = new Object[names.length];
        for (int i = 0; i < names.length; i++) {
            if (i < args.size()) {
                if (kwargs.containsKey(names[i])) {
                    throw JinjaException.typeError(function + "() got multiple values for argument '" + names[i] + "'");
                }
                out[i] = args.get(i);
            } else if (kwargs.containsKey(names[i])) {
                out[i] = kwargs.get(names[i]);
            } else if (defaults[i] == REQUIRED) {
                throw JinjaException.typeError(function + "() missing required argument '" + names[i] + "'");
            } else {
                out[i] = defaults[i];
            }
        }
        for (String k : kwargs.keySet()) {
            if (!List.of(names).contains(k)) {
                throw JinjaException.typeError(function + "() got an unexpected keyword argument '" + k + "'");
            }
        }
        return out;
    }

    static String string(String function, Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Markup m) {
            return m.text();
        }
        if (v instanceof Undefined u) {
            throw u.fail();
        }
        throw JinjaException.typeError(function + "() argument must be str, not " + PyRepr.typeName(v));
    }

    static String optionalString(String function, Object v) {
        return v == null ? null : string(function, v);
    }

    static long integer(String function, Object v) {
        Long l = PyOps.asIndex(v);
        if (l == null) {
            if (v instanceof Undefined u) {
                throw u.fail();
            }
            throw JinjaException.typeError(function + "() argument must be int, not " + PyRepr.typeName(v));
        }
        return l;
    }
}
