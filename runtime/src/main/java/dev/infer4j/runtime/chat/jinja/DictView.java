package dev.infer4j.runtime.chat.jinja;

import java.util.List;

/** {@code dict.items()}, {@code .keys()} or {@code .values()}: iterable again and again, with a length, no index. */
record DictView(String typeName, List<Object> items) { }
