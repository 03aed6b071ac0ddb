package dev.infer4j.runtime.chat.jinja;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A macro bound to the frame that defined it. It sees that frame's variables as they are when it is called (Python
 * closures bind late), and extra positional or keyword arguments land in {@code varargs} and {@code kwargs}.
 */
final class MacroValue implements PyCallable {
    private final String name;
    private final List<Node.Param> params;
    private final List<Node> body;
    private final Scope closure;
    private final Interpreter interpreter;

    MacroValue(String name, List<Node.Param> params, List<Node> body, Scope closure, Interpreter interpreter) {
        this.name = name;
        this.params = params;
        this.body = body;
        this.closure = closure;
        this.interpreter = interpreter;
    }

    String name() {
        return name;
    }

    @Override
    public Object call(List<Object> args, Map<String, Object> kwargs) {
        Scope scope = new Scope(closure);
        Map<String, Object> extraKw = new LinkedHashMap<>(kwargs);
        Object caller = extraKw.remove("caller");
        if (caller != null) {
            scope.set("caller", caller);
        }
        for (int i = 0; i < params.size(); i++) {
            Node.Param p = params.get(i);
            if (i < args.size()) {
                if (extraKw.containsKey(p.name())) {
                    throw JinjaException.typeError("macro '" + name + "' got multiple values for argument '"
                        + p.name() + "'");
                }
                scope.set(p.name(), args.get(i));
            } else if (extraKw.containsKey(p.name())) {
                scope.set(p.name(), extraKw.remove(p.name()));
            } else if (p.defaultValue() != null) {
                scope.set(p.name(), interpreter.eval(p.defaultValue(), scope));
            } else {
                scope.set(p.name(), new Undefined("parameter '" + p.name() + "' was not provided", "UndefinedError"));
            }
        }
        List<Object> varargs = args.size() > params.size() ? new ArrayList<>(args.subList(params.size(), args.size()))
            : List.of();
        scope.set("varargs", new Tuple(varargs));
        scope.set("kwargs", new LinkedHashMap<>(extraKw));
        return interpreter.renderMacroBody(body, scope);
    }
}
