package dev.infer4j.runtime.chat.jinja;

import java.util.List;
import java.util.Map;

/**
 * A function a template may call: a global such as {@code raise_exception}, a bound method such as
 * {@code "a b".split}, or a macro. Arguments arrive as Python values; keyword arguments in call order.
 */
@FunctionalInterface
public interface PyCallable {
    Object call(List<Object> args, Map<String, Object> kwargs);
}
