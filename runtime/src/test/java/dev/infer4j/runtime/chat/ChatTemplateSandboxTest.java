package dev.infer4j.runtime.chat;

import dev.infer4j.runtime.chat.jinja.SandboxLimits;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile templates end with a typed error instead of hanging, exhausting memory or reaching Java internals. */
class ChatTemplateSandboxTest {
    private static final SandboxLimits SMALL = new SandboxLimits(200_000, 100_000, 50, 10_000);
    private static final ChatRequestContext HELLO = ChatRequestContext.builder().message("user", "Hello").build();

    private static ChatTemplateException failure(String source, SandboxLimits limits) {
        ChatTemplate template = ChatTemplate.compile(source, limits);
        return assertThrows(ChatTemplateException.class, () -> template.render(HELLO), source);
    }

    private static void assertLimit(String source) {
        ChatTemplateException e = failure(source, SMALL);
        assertEquals(ChatTemplateException.Kind.LIMIT, e.kind(), source + " -> " + e.getMessage());
    }

    @Test
    void nestedLoopsStopAtTheWorkBudget() {
        assertLimit("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}");
    }

    @Test
    void defaultBudgetStopsAnEndlessLookingLoop() {
        ChatTemplateException e = failure("{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}"
            + "{% endfor %}{% endfor %}", SandboxLimits.DEFAULT);
        assertEquals(ChatTemplateException.Kind.LIMIT, e.kind(), e.getMessage());
    }

    @Test
    void hugeRangesAreRefusedLikeJinja2Sandbox() {
        ChatTemplateException e = failure("{% for i in range(1000000) %}{% endfor %}", SMALL);
        assertEquals("OverflowError", e.pythonType(), e.getMessage());
    }

    @Test
    void hugeStringsAreRefusedBeforeTheyAreBuilt() {
        assertLimit("{{ 'x' * 1000000000 }}");
        assertLimit("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}");
        assertLimit("{{ ['x'] * 1000000000 }}");
    }

    @Test
    void outputIsBounded() {
        assertLimit("{% for i in range(1000) %}{{ 'abcdefghij' * 100 }}{% endfor %}");
    }

    @Test
    void unboundedRecursionStopsAtTheDepthLimit() {
        assertLimit("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
        assertLimit("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}");
    }

    @Test
    void deeplyNestedSourceIsASyntaxErrorNotAStackOverflow() {
        String source = "{{ " + "(".repeat(5000) + "1" + ")".repeat(5000) + " }}";
        ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile(source));
        assertEquals(ChatTemplateException.Kind.SYNTAX, e.kind());
    }

    @Test
    void deeplyNestedRequestDataIsRefused() {
        Object nested = "x";
        for (int i = 0; i < 1000; i++) {
            List<Object> wrap = new ArrayList<>();
            wrap.add(nested);
            nested = wrap;
        }
        ChatRequestContext ctx = ChatRequestContext.builder().message(Map.of("role", "user", "content", nested))
            .build();
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
            () -> ChatTemplate.compile("{{ messages | tojson }}").render(ctx));
        assertEquals(ChatTemplateException.Kind.LIMIT, e.kind());
    }

    @Test
    void javaMembersAreNotReachable() {
        ChatTemplate t = ChatTemplate.compile("[{{ ''.__class__ }}{{ messages.getClass }}{{ 'a'.getBytes }}]");
        assertEquals("[]", t.render(HELLO), "Java and dunder attributes must be undefined");
        ChatTemplateException e = failure("{{ ''.getClass() }}", SandboxLimits.DEFAULT);
        assertEquals("UndefinedError", e.pythonType());
        e = failure("{{ ''.__class__.__mro__ }}", SandboxLimits.DEFAULT);
        assertEquals("UndefinedError", e.pythonType());
    }

    @Test
    void mutatingListsAndDictsIsRefusedAsInImmutableSandbox() {
        ChatTemplateException e = failure("{% set x = [] %}{{ x.append(1) }}", SandboxLimits.DEFAULT);
        assertEquals("SecurityError", e.pythonType());
        assertEquals("access to attribute 'append' of 'list' object is unsafe.", e.getMessage());
        e = failure("{{ messages[0].update({'role': 'system'}) }}", SandboxLimits.DEFAULT);
        assertEquals("SecurityError", e.pythonType());
        assertTrue(e.getMessage().contains("'update' of 'dict'"), e.getMessage());
    }
}
