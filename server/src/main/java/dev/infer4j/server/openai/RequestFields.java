package dev.infer4j.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Typed, range-checked access to the fields of a JSON request object. A JSON {@code null} counts as absent; a
 * present field of the wrong type or out of range raises an {@link ApiException} naming it.
 */
final class RequestFields {

    private final ObjectNode body;

    RequestFields(ObjectNode body) {
        this.body = body;
    }

    /** The field's node, or null when absent or JSON null. */
    JsonNode node(String name) {
        JsonNode node = body.get(name);
        return node == null || node.isNull() ? null : node;
    }

    boolean has(String name) {
        return node(name) != null;
    }

    String string(String name, String fallback) {
        JsonNode node = node(name);
        if (node == null) {
            return fallback;
        }
        if (!node.isTextual()) {
            throw ApiException.invalidField(name, "'" + name + "' must be a string");
        }
        return node.textValue();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode node = node(name);
        if (node == null) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw ApiException.invalidField(name, "'" + name + "' must be a boolean");
        }
        return node.booleanValue();
    }

    double number(String name, double fallback, double min, double max) {
        JsonNode node = node(name);
        if (node == null) {
            return fallback;
        }
        if (!node.isNumber()) {
            throw ApiException.invalidField(name, "'" + name + "' must be a number");
        }
        double value = node.doubleValue();
        if (!(value >= min && value <= max)) {
            throw ApiException.invalidField(name,
                    "'" + name + "' must be between " + format(min) + " and " + format(max) + ", got " + format(value));
        }
        return value;
    }

    /** A number that must be strictly greater than {@code exclusiveMin} and at most {@code max}. */
    double numberAbove(String name, double fallback, double exclusiveMin, double max) {
        JsonNode node = node(name);
        if (node == null) {
            return fallback;
        }
        double value = number(name, fallback, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
        if (!(value > exclusiveMin && value <= max)) {
            throw ApiException.invalidField(name, "'" + name + "' must be greater than " + format(exclusiveMin)
                    + " and at most " + format(max) + ", got " + format(value));
        }
        return value;
    }

    /** An integer field; absent gives {@code fallback} (which may lie outside the range, as a marker). */
    long integer(String name, long fallback, long min, long max) {
        JsonNode node = node(name);
        if (node == null) {
            return fallback;
        }
        return integerValue(name, node, min, max);
    }

    static long integerValue(String name, JsonNode node, long min, long max) {
        if (!node.isIntegralNumber() && !(node.isNumber() && node.doubleValue() == Math.rint(node.doubleValue()))) {
            throw ApiException.invalidField(name, "'" + name + "' must be an integer");
        }
        if (!node.canConvertToLong()) {
            throw ApiException.invalidField(name, "'" + name + "' is out of range");
        }
        long value = node.longValue();
        if (value < min || value > max) {
            throw ApiException.invalidField(name,
                    "'" + name + "' must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}
