package dev.infer4j.runtime.chat;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts request data (Jackson trees or plain Java maps and lists) into the values the template engine
 * works on, the way Python's {@code json.loads} would: objects become insertion-ordered dicts, integers {@code Long},
 * other numbers {@code Double}. Every call builds fresh containers, so renders never share or mutate input.
 */
final class PythonValues {
    /** Deeper input is refused rather than risking the stack in the renderer's recursive walks. */
    static final int MAX_DEPTH = 128;

    private PythonValues() {
    }

    static Object of(Object value) {
        return of(value, 0);
    }

    private static Object of(Object value, int depth) {
        if (depth > MAX_DEPTH) {
            throw new ChatTemplateException(ChatTemplateException.Kind.LIMIT, "LimitExceeded",
                "request data nests deeper than " + MAX_DEPTH + " levels");
        }
        return switch (value) {
            case null -> null;
            case JsonNode node -> ofJson(node, depth);
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Byte b -> (long) b;
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
            case Double d -> d;
            case Float f -> (double) f;
            case BigDecimal b -> b.doubleValue();
            case CharSequence cs -> cs.toString();
            case Map<?, ?> m -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                m.forEach((k, v) -> out.put(of(k, depth + 1), of(v, depth + 1)));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                for (Object o : c) {
                    out.add(of(o, depth + 1));
                }
                yield out;
            }
            case Enum<?> e -> e.name();
            default -> throw new IllegalArgumentException("cannot pass a " + value.getClass().getName()
                + " to a chat template; use JSON-like values");
        };
    }

    private static Object ofJson(JsonNode node, int depth) {
        return switch (node.getNodeType()) {
            case NULL, MISSING -> null;
            case BOOLEAN -> node.booleanValue();
            case STRING -> node.textValue();
            case NUMBER -> node.isIntegralNumber() && node.canConvertToLong() ? (Object) node.longValue()
                : (Object) node.doubleValue();
            case ARRAY -> {
                List<Object> out = new ArrayList<>(node.size());
                for (JsonNode item : node) {
                    out.add(of(item, depth + 1));
                }
                yield out;
            }
            case OBJECT -> {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    out.put(e.getKey(), of(e.getValue(), depth + 1));
                }
                yield out;
            }
            case BINARY, POJO -> throw new IllegalArgumentException("cannot pass a " + node.getNodeType()
                + " JSON node to a chat template");
        };
    }
}
