package dev.infer4j.runtime.chat.jinja;

import java.util.List;

/** Expression nodes of a parsed template. */
sealed interface Expr {
    /** A literal: string, number, boolean or none. */
    record Const(Object value) implements Expr { }

    record Name(String name, int line) implements Expr { }

    record ListLit(List<Expr> items) implements Expr { }

    record TupleLit(List<Expr> items) implements Expr { }

    record DictLit(List<Expr> keys, List<Expr> values) implements Expr { }

    /** {@code obj.attr}: Python attribute first, then item. */
    record GetAttr(Expr obj, String attr) implements Expr { }

    /** {@code obj[key]}: item first, then attribute. */
    record GetItem(Expr obj, Expr key) implements Expr { }

    /** {@code start:stop:step} inside a subscript; absent parts are null. */
    record Slice(Expr start, Expr stop, Expr step) implements Expr { }

    record Kwarg(String name, Expr value) { }

    /** Arguments of a call, filter or test; {@code star}/{@code starStar} are {@code *args}/{@code **kwargs}. */
    record Args(List<Expr> positional, List<Kwarg> keywords, Expr star, Expr starStar) {
        static final Args NONE = new Args(List.of(), List.of(), null, null);
    }

    record Call(Expr fn, Args args) implements Expr { }

    /** {@code value | name(args)}; {@code value} is null inside a {@code {% filter %}} block chain. */
    record Filter(Expr value, String name, Args args, int line) implements Expr { }

    record Test(Expr value, String name, Args args, int line) implements Expr { }

    record Unary(String op, Expr operand) implements Expr { }

    record Binary(String op, Expr left, Expr right) implements Expr { }

    record And(Expr left, Expr right) implements Expr { }

    record Or(Expr left, Expr right) implements Expr { }

    record Not(Expr operand) implements Expr { }

    record Compare(Expr first, List<String> ops, List<Expr> rest) implements Expr { }

    /** {@code a ~ b ~ c}: string concatenation of {@code str()} of each part. */
    record Concat(List<Expr> parts) implements Expr { }

    /** {@code then if test else otherwise}; {@code otherwise} null means undefined. */
    record Conditional(Expr test, Expr then, Expr otherwise) implements Expr { }
}
