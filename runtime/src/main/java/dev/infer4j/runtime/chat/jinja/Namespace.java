package dev.infer4j.runtime.chat.jinja;

import java.util.LinkedHashMap;
import java.util.Map;

/** The object {@code namespace()} returns: the one value a template may mutate, through {@code set ns.attr}. */
final class Namespace {
    final Map<String, Object> attrs = new LinkedHashMap<>();
}
