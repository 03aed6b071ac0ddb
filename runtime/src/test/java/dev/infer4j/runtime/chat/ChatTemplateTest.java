package dev.infer4j.runtime.chat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The render contract: which variables a template sees, and how failures are reported. */
class ChatTemplateTest {
    @Test
    void extraVariablesReachTheTemplate() {
        ChatTemplate t = ChatTemplate.compile("{{ 'think' if enable_thinking is defined and enable_thinking else 'no' }}");
        assertEquals("no", t.render(ChatRequestContext.builder().build()));
        assertEquals("think", t.render(ChatRequestContext.builder().extra("enable_thinking", true).build()));
    }

    @Test
    void toolsAndDocumentsAreNoneUnlessGiven() throws Exception {
        ChatTemplate t = ChatTemplate.compile("{{ tools is defined }} {{ tools is none }} {{ documents is none }}"
            + "{% if tools %} {{ tools | tojson }}{% endif %}");
        assertEquals("True True True", t.render(ChatRequestContext.builder().build()));
        var tools = new ObjectMapper().readTree("[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"b\":1,\"a\":2.5}}]");
        assertEquals("True False True [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"b\": 1, \"a\": 2.5}}]",
            t.render(ChatRequestContext.builder().tools(tools).build()));
    }

    @Test
    void strftimeNowFormatsTheContextClock() {
        Clock clock = Clock.fixed(LocalDateTime.of(2026, 1, 5, 9, 7, 3).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
        ChatTemplate t = ChatTemplate.compile("{{ strftime_now('%d %b %Y|%-d %B %Y|%Y-%m-%d %H:%M:%S|%A %j') }}");
        assertEquals("05 Jan 2026|5 January 2026|2026-01-05 09:07:03|Monday 005",
            t.render(ChatRequestContext.builder().clock(clock).build()));
    }

    @Test
    void raiseExceptionCarriesTheTemplatesMessage() {
        ChatTemplate t = ChatTemplate.compile("{{ raise_exception('System role not supported') }}");
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
            () -> t.render(ChatRequestContext.builder().build()));
        assertEquals(ChatTemplateException.Kind.RAISED, e.kind());
        assertEquals("System role not supported", e.getMessage());
    }

    @Test
    void syntaxErrorsAreReportedAtCompileTime() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
            () -> ChatTemplate.compile("{% for m in messages %}{{ m }}"));
        assertEquals(ChatTemplateException.Kind.SYNTAX, e.kind());
        e = assertThrows(ChatTemplateException.class, () -> ChatTemplate.compile("{% include 'x.jinja' %}"));
        assertEquals(ChatTemplateException.Kind.SYNTAX, e.kind(), "no file access: include is not a known tag");
    }

    @Test
    void iteratingNoneIsATypeErrorAsInPython() {
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
            () -> ChatTemplate.compile("{% for t in tools %}{% endfor %}").render(ChatRequestContext.builder().build()));
        assertEquals(ChatTemplateException.Kind.RUNTIME, e.kind());
        assertEquals("TypeError", e.pythonType());
    }

    @Test
    void extraMayNotRedefineCoreVariables() {
        assertThrows(IllegalArgumentException.class, () -> ChatRequestContext.builder().extra("messages", 1).build());
    }
}
