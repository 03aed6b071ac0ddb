package dev.infer4j.runtime.chat.jinja;

/**
 * jinja2's default {@code Undefined}: prints as empty, is false, iterates as empty, and fails with
 * {@code errorType} and {@code hint} as soon as a template uses it in any other way (attribute, call, arithmetic).
 */
record Undefined(String hint, String errorType) {
    static Undefined name(String name) {
        return new Undefined("'" + name + "' is undefined", "UndefinedError");
    }

    static Undefined attribute(Object owner, Object attr) {
        String what = attr instanceof String s ? "attribute '" + s + "'" : "element " + PyRepr.repr(attr);
        return new Undefined("'" + PyRepr.typeName(owner) + " object' has no " + what, "UndefinedError");
    }

    static Undefined unsafe(Object owner, String attr) {
        return new Undefined("access to attribute '" + attr + "' of '" + PyRepr.typeName(owner)
            + "' object is unsafe.", "SecurityError");
    }

    JinjaException fail() {
        return new JinjaException(errorType, hint);
    }
}
