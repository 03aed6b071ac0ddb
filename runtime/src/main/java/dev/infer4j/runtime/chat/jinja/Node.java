package dev.infer4j.runtime.chat.jinja;

import java.util.List;

/** Statement nodes of a parsed template. */
sealed interface Node {
    record Text(String text) implements Node { }

    record Print(Expr value) implements Node { }

    record Branch(Expr test, List<Node> body) { }

    record If(List<Branch> branches, List<Node> otherwise) implements Node { }

    record For(Target target, Expr iterable, Expr filter, List<Node> body, List<Node> otherwise, boolean recursive)
        implements Node { }

    record Set(Target target, Expr value) implements Node { }

    /** {@code {% set x | filters %}body{% endset %}}; {@code filter} is a chain whose innermost value is null. */
    record SetBlock(Target target, Expr filter, List<Node> body) implements Node { }

    record Param(String name, Expr defaultValue) { }

    record Macro(String name, List<Param> params, List<Node> body) implements Node { }

    /** {@code {% call(params) macro(args) %}body{% endcall %}}. */
    record CallBlock(Expr.Call call, List<Param> params, List<Node> body) implements Node { }

    record FilterBlock(Expr filter, List<Node> body) implements Node { }

    record With(List<Target> targets, List<Expr> values, List<Node> body) implements Node { }

    /** A run of statements that opens no scope, e.g. the body of {@code {% generation %}}. */
    record Group(List<Node> body) implements Node { }

    record Break() implements Node { }

    record Continue() implements Node { }

    /** The left side of an assignment or loop variable. */
    sealed interface Target {
        record Name(String name) implements Target { }

        /** {@code ns.attr}: only valid on a namespace object. */
        record Attr(String object, String attr, int line) implements Target { }

        record Unpack(List<Target> items) implements Target { }
    }
}
