package dev.infer4j.runtime.chat.jinja;

import java.util.List;

/**
 * A Python iterator such as the generator {@code map}/{@code select} return: it can be walked once, has no length,
 * and {@code json.dumps} refuses it.
 */
final class OneShot {
    private final String typeName;
    private List<Object> items;

    OneShot(String typeName, List<Object> items) {
        this.typeName = typeName;
        this.items = items;
    }

    String typeName() {
        return typeName;
    }

    List<Object> consume() {
        List<Object> out = items;
        items = List.of();
        return out;
    }
}
