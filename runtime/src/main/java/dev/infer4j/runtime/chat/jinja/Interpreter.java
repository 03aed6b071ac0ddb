package dev.infer4j.runtime.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Executes a parsed template for one render. Not thread-safe: each render gets its own interpreter. */
final class Interpreter {
    private enum Flow { NORMAL, BREAK, CONTINUE }

    final Budget budget;
    private int loopDepth;

    Interpreter(Budget budget) {
        this.budget = budget;
    }

    String render(List<Node> body, Map<String, Object> globals, Map<String, Object> variables) {
        Scope global = new Scope(null);
        global.set("range", (PyCallable) this::range);
        global.set("namespace", (PyCallable) Interpreter::namespace);
        global.set("dict", (PyCallable) (args, kw) -> {
            if (!args.isEmpty()) {
                throw JinjaException.typeError("dict() takes keyword arguments only in templates");
            }
            return new LinkedHashMap<>(kw);
        });
        globals.forEach(global::set);
        Scope root = new Scope(global);
        variables.forEach(root::set);
        StringBuilder out = new StringBuilder();
        exec(body, root, out);
        return out.toString();
    }

    String renderMacroBody(List<Node> body, Scope scope) {
        budget.enter();
        try {
            StringBuilder out = new StringBuilder();
            exec(body, scope, out);
            return out.toString();
        } finally {
            budget.exit();
        }
    }

    private void append(StringBuilder out, String text) {
        budget.checkLength((long) out.length() + text.length());
        out.append(text);
    }

    private Flow exec(List<Node> body, Scope scope, StringBuilder out) {
        for (Node node : body) {
            budget.charge(1);
            Flow flow = switch (node) {
                case Node.Text t -> {
                    append(out, t.text());
                    yield Flow.NORMAL;
                }
                case Node.Print p -> {
                    append(out, PyRepr.str(eval(p.value(), scope)));
                    yield Flow.NORMAL;
                }
                case Node.If f -> execIf(f, scope, out);
                case Node.For f -> {
                    append(out, execFor(f, eval(f.iterable(), scope), scope, loopDepth));
                    yield Flow.NORMAL;
                }
                case Node.Set s -> {
                    assign(s.target(), eval(s.value(), scope), scope);
                    yield Flow.NORMAL;
                }
                case Node.SetBlock s -> {
                    StringBuilder captured = new StringBuilder();
                    exec(s.body(), new Scope(scope), captured);
                    Object value = captured.toString();
                    if (s.filter() != null) {
                        value = applyFilterChain(s.filter(), value, scope);
                    }
                    assign(s.target(), value, scope);
                    yield Flow.NORMAL;
                }
                case Node.Macro m -> {
                    scope.set(m.name(), new MacroValue(m.name(), m.params(), m.body(), scope, this));
                    yield Flow.NORMAL;
                }
                case Node.CallBlock c -> {
                    MacroValue caller = new MacroValue("caller", c.params(), c.body(), scope, this);
                    Object fn = eval(c.call().fn(), scope);
                    List<Object> args = new ArrayList<>();
                    Map<String, Object> kwargs = new LinkedHashMap<>();
                    evalArgs(c.call().args(), scope, args, kwargs);
                    kwargs.put("caller", caller);
                    append(out, PyRepr.str(call(fn, args, kwargs)));
                    yield Flow.NORMAL;
                }
                case Node.FilterBlock f -> {
                    StringBuilder captured = new StringBuilder();
                    Flow inner = exec(f.body(), scope, captured);
                    append(out, PyRepr.str(applyFilterChain(f.filter(), captured.toString(), scope)));
                    yield inner;
                }
                case Node.With w -> {
                    Scope inner = new Scope(scope);
                    List<Object> values = new ArrayList<>();
                    for (Expr e : w.values()) {
                        values.add(eval(e, scope));
                    }
                    for (int i = 0; i < values.size(); i++) {
                        assign(w.targets().get(i), values.get(i), inner);
                    }
                    yield exec(w.body(), inner, out);
                }
                case Node.Group g -> exec(g.body(), scope, out);
                case Node.Break b -> Flow.BREAK;
                case Node.Continue c -> Flow.CONTINUE;
            };
            if (flow != Flow.NORMAL) {
                return flow;
            }
        }
        return Flow.NORMAL;
    }

    private Flow execIf(Node.If f, Scope scope, StringBuilder out) {
        for (Node.Branch b : f.branches()) {
            if (PyOps.truthy(eval(b.test(), scope))) {
                return exec(b.body(), scope, out);
            }
        }
        return exec(f.otherwise(), scope, out);
    }

    /** Runs a loop; each iteration gets a fresh frame, so a plain {@code set} never outlives its iteration. */
    private String execFor(Node.For f, Object iterable, Scope scope, int depth) {
        List<Object> items = PyOps.iterate(iterable);
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                budget.charge(1);
                Scope s = new Scope(scope);
                assign(f.target(), item, s);
                if (PyOps.truthy(eval(f.filter(), s))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        StringBuilder out = new StringBuilder();
        if (items.isEmpty()) {
            exec(f.otherwise(), new Scope(scope), out);
            return out.toString();
        }
        PyCallable recurse = f.recursive() ? (args, kw) -> {
            if (args.size() != 1) {
                throw JinjaException.typeError("loop() takes exactly one argument");
            }
            budget.enter();
            try {
                return execFor(f, args.getFirst(), scope, depth + 1);
            } finally {
                budget.exit();
            }
        } : null;
        LoopContext loop = new LoopContext(items, depth, recurse);
        int savedDepth = loopDepth;
        loopDepth = depth + 1;
        try {
            for (int i = 0; i < items.size(); i++) {
                budget.charge(1);
                loop.index0 = i;
                Scope s = new Scope(scope);
                assign(f.target(), items.get(i), s);
                s.set("loop", loop);
                if (exec(f.body(), s, out) == Flow.BREAK) {
                    break;
                }
            }
        } finally {
            loopDepth = savedDepth;
        }
        return out.toString();
    }

    private void assign(Node.Target target, Object value, Scope scope) {
        switch (target) {
            case Node.Target.Name n -> scope.set(n.name(), value);
            case Node.Target.Attr a -> {
                Object obj = scope.lookup(a.object());
                if (!(obj instanceof Namespace ns)) {
                    throw new JinjaException("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
                }
                ns.attrs.put(a.attr(), value);
            }
            case Node.Target.Unpack u -> {
                List<Object> items = PyOps.iterate(value);
                if (items.size() != u.items().size()) {
                    throw new JinjaException("ValueError", (items.size() > u.items().size() ? "too many" : "not enough")
                        + " values to unpack (expected " + u.items().size() + ", got " + items.size() + ")");
                }
                for (int i = 0; i < items.size(); i++) {
                    assign(u.items().get(i), items.get(i), scope);
                }
            }
        }
    }

    Object eval(Expr expr, Scope scope) {
        budget.charge(1);
        return switch (expr) {
            case Expr.Const c -> c.value();
            case Expr.Name n -> scope.lookup(n.name());
            case Expr.ListLit l -> {
                List<Object> out = new ArrayList<>(l.items().size());
                for (Expr e : l.items()) {
                    out.add(eval(e, scope));
                }
                yield out;
            }
            case Expr.TupleLit t -> {
                List<Object> out = new ArrayList<>(t.items().size());
                for (Expr e : t.items()) {
                    out.add(eval(e, scope));
                }
                yield new Tuple(out);
            }
            case Expr.DictLit d -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    Object k = eval(d.keys().get(i), scope);
                    requireHashable(k);
                    out.put(k, eval(d.values().get(i), scope));
                }
                yield out;
            }
            case Expr.GetAttr g -> getAttr(eval(g.obj(), scope), g.attr());
            case Expr.GetItem g -> {
                Object obj = eval(g.obj(), scope);
                if (g.key() instanceof Expr.Slice s) {
                    yield slice(obj, evalIndex(s.start(), scope), evalIndex(s.stop(), scope),
                        evalIndex(s.step(), scope));
                }
                yield getItem(obj, eval(g.key(), scope));
            }
            case Expr.Slice s -> throw JinjaException.typeError("slice outside a subscript");
            case Expr.Call c -> {
                Object fn = eval(c.fn(), scope);
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(c.args(), scope, args, kwargs);
                yield call(fn, args, kwargs);
            }
            case Expr.Filter f -> applyFilter(f, f.value() == null ? null : eval(f.value(), scope), scope);
            case Expr.Test t -> {
                List<Object> args = new ArrayList<>();
                Map<String, Object> kwargs = new LinkedHashMap<>();
                evalArgs(t.args(), scope, args, kwargs);
                yield Tests.apply(this, t.name(), eval(t.value(), scope), args, kwargs);
            }
            case Expr.Unary u -> u.op().equals("-") ? PyOps.negate(eval(u.operand(), scope))
                : PyOps.plus(eval(u.operand(), scope));
            case Expr.Binary b -> PyOps.binary(b.op(), eval(b.left(), scope), eval(b.right(), scope), budget);
            case Expr.And a -> {
                Object left = eval(a.left(), scope);
                yield PyOps.truthy(left) ? eval(a.right(), scope) : left;
            }
            case Expr.Or o -> {
                Object left = eval(o.left(), scope);
                yield PyOps.truthy(left) ? left : eval(o.right(), scope);
            }
            case Expr.Not n -> !PyOps.truthy(eval(n.operand(), scope));
            case Expr.Compare c -> {
                Object left = eval(c.first(), scope);
                boolean result = true;
                for (int i = 0; i < c.ops().size() && result; i++) {
                    Object right = eval(c.rest().get(i), scope);
                    result = PyOps.compareOp(c.ops().get(i), left, right);
                    left = right;
                }
                yield result;
            }
            case Expr.Concat c -> {
                StringBuilder b = new StringBuilder();
                for (Expr e : c.parts()) {
                    String s = PyRepr.str(eval(e, scope));
                    budget.checkLength((long) b.length() + s.length());
                    b.append(s);
                }
                yield b.toString();
            }
            case Expr.Conditional c -> PyOps.truthy(eval(c.test(), scope)) ? eval(c.then(), scope)
                : c.otherwise() == null ? new Undefined("the inline if-expression evaluated to false and no else "
                + "section was defined", "UndefinedError") : eval(c.otherwise(), scope);
        };
    }

    private static void requireHashable(Object k) {
        if (k instanceof List<?> && !(k instanceof Tuple) || k instanceof Map<?, ?> || k instanceof Namespace) {
            throw JinjaException.typeError("unhashable type: '" + PyRepr.typeName(k) + "'");
        }
    }

    private Long evalIndex(Expr e, Scope scope) {
        if (e == null) {
            return null;
        }
        Object v = eval(e, scope);
        if (v == null) {
            return null;
        }
        Long index = PyOps.asIndex(v);
        if (index == null) {
            throw JinjaException.typeError("slice indices must be integers or None or have an __index__ method");
        }
        return index;
    }

    private Object slice(Object obj, Long start, Long stop, Long step) {
        return switch (obj) {
            case String s -> Py.slice(s, start, stop, step);
            case Markup m -> new Markup(Py.slice(m.text(), start, stop, step));
            case Tuple t -> new Tuple(Py.slice(t, start, stop, step));
            case List<?> l -> new ArrayList<>(Py.slice(l, start, stop, step));
            case Undefined u -> throw u.fail();
            case null, default -> Undefined.attribute(obj, "slice");
        };
    }

    void evalArgs(Expr.Args a, Scope scope, List<Object> args, Map<String, Object> kwargs) {
        for (Expr e : a.positional()) {
            args.add(eval(e, scope));
        }
        if (a.star() != null) {
            args.addAll(PyOps.iterate(eval(a.star(), scope)));
        }
        for (Expr.Kwarg k : a.keywords()) {
            kwargs.put(k.name(), eval(k.value(), scope));
        }
        if (a.starStar() != null) {
            Object m = eval(a.starStar(), scope);
            if (!(m instanceof Map<?, ?> map)) {
                throw JinjaException.typeError("argument after ** must be a mapping, not " + PyRepr.typeName(m));
            }
            map.forEach((k, v) -> kwargs.put(PyRepr.str(k), v));
        }
    }

    Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        return switch (fn) {
            case Undefined u -> throw u.fail();
            case PyCallable c -> c.call(args, kwargs);
            case null, default -> throw JinjaException.typeError("'" + PyRepr.typeName(fn) + "' object is not callable");
        };
    }

    private Object applyFilter(Expr.Filter f, Object value, Scope scope) {
        List<Object> args = new ArrayList<>();
        Map<String, Object> kwargs = new LinkedHashMap<>();
        evalArgs(f.args(), scope, args, kwargs);
        return Filters.apply(this, f.name(), value, args, kwargs);
    }

    /** Applies a {@code {% filter %}} or {@code {% set x | f %}} chain whose innermost value is the body text. */
    private Object applyFilterChain(Expr chain, Object body, Scope scope) {
        if (!(chain instanceof Expr.Filter f)) {
            throw new IllegalStateException("filter chain expected");
        }
        Object inner = f.value() == null ? body : applyFilterChain(f.value(), body, scope);
        return applyFilter(f, inner, scope);
    }

    /** {@code obj.name}: Python attribute (methods, in the immutable sandbox) first, then item. */
    Object getAttr(Object obj, String name) {
        budget.charge(1);
        return switch (obj) {
            case Undefined u -> throw u.fail();
            case Map<?, ?> m -> {
                Object method = Methods.bind(this, obj, name);
                if (method != null) {
                    yield method;
                }
                yield m.containsKey(name) ? m.get(name) : Undefined.attribute(obj, name);
            }
            case Namespace ns -> ns.attrs.containsKey(name) ? ns.attrs.get(name) : Undefined.attribute(obj, name);
            case LoopContext loop -> loop.attribute(name);
            case null, default -> {
                Object method = Methods.bind(this, obj, name);
                yield method != null ? method : Undefined.attribute(obj, name);
            }
        };
    }

    /** {@code obj[key]}: item first, then (for a string key) attribute; a miss is undefined, not an error. */
    Object getItem(Object obj, Object keyValue) {
        budget.charge(1);
        Object key = Markup.plain(keyValue);
        if (obj instanceof Markup m) {
            Object item = getItem(m.text(), key);
            return item instanceof String s ? new Markup(s) : item;
        }
        switch (obj) {
            case Undefined u -> throw u.fail();
            case Map<?, ?> m -> {
                if (m.containsKey(key)) {
                    return m.get(key);
                }
            }
            case String s -> {
                Long i = PyOps.asIndex(key);
                if (i != null) {
                    int n = Py.length(s);
                    long k = i < 0 ? i + n : i;
                    return k >= 0 && k < n ? Py.charAt(s, (int) k) : Undefined.attribute(obj, key);
                }
            }
            case List<?> l -> {
                Long i = PyOps.asIndex(key);
                if (i != null) {
                    long k = i < 0 ? i + l.size() : i;
                    return k >= 0 && k < l.size() ? l.get((int) k) : Undefined.attribute(obj, key);
                }
            }
            case Namespace ns -> {
                return key instanceof String s && ns.attrs.containsKey(s) ? ns.attrs.get(s)
                    : Undefined.attribute(obj, key);
            }
            case null, default -> { }
        }
        if (key instanceof String name) {
            Object method = obj instanceof LoopContext loop ? loop.attribute(name) : Methods.bind(this, obj, name);
            if (method != null) {
                return method;
            }
        }
        return Undefined.attribute(obj, key);
    }

    private Object range(List<Object> args, Map<String, Object> kwargs) {
        if (args.isEmpty() || args.size() > 3 || !kwargs.isEmpty()) {
            throw JinjaException.typeError("range expected 1 to 3 integer arguments");
        }
        long[] a = new long[args.size()];
        for (int i = 0; i < a.length; i++) {
            Long v = PyOps.asIndex(args.get(i));
            if (v == null) {
                throw JinjaException.typeError("'" + PyRepr.typeName(args.get(i))
                    + "' object cannot be interpreted as an integer");
            }
            a[i] = v;
        }
        long start = a.length == 1 ? 0 : a[0];
        long stop = a.length == 1 ? a[0] : a[1];
        long step = a.length == 3 ? a[2] : 1;
        if (step == 0) {
            throw new JinjaException("ValueError", "range() arg 3 must not be zero");
        }
        long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        if (count > budget.limits().maxRange()) {
            throw new JinjaException("OverflowError", "Range too big. The sandbox blocks ranges larger than MAX_RANGE ("
                + budget.limits().maxRange() + ").");
        }
        budget.charge(count);
        List<Object> out = new ArrayList<>((int) count);
        for (long i = 0, v = start; i < count; i++, v += step) {
            out.add(v);
        }
        return out;
    }

    private static Object namespace(List<Object> args, Map<String, Object> kwargs) {
        Namespace ns = new Namespace();
        for (Object a : args) {
            if (!(a instanceof Map<?, ?> m)) {
                throw JinjaException.typeError("namespace() positional argument must be a mapping");
            }
            m.forEach((k, v) -> ns.attrs.put(PyRepr.str(k), v));
        }
        ns.attrs.putAll(kwargs);
        return ns;
    }
}
