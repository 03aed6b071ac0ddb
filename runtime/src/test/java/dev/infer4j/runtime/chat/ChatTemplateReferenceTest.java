package dev.infer4j.runtime.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Renders every case of {@code shared/templates/visible.json} (57 real templates × 5 conversations, produced by
 * Python jinja2 3.1.6 in Hugging Face's chat-template environment) and demands the exact same text, or an error
 * where Python raised one.
 */
class ChatTemplateReferenceTest {
    /** The fixed instant the reference used for {@code strftime_now}: datetime(2026, 1, 15, 12, 0, 0). */
    private static final Clock REFERENCE_CLOCK =
        Clock.fixed(LocalDateTime.of(2026, 1, 15, 12, 0, 0).toInstant(ZoneOffset.UTC), ZoneOffset.UTC);
    private static final Map<String, ChatTemplate> COMPILED = new HashMap<>();

    static Stream<Arguments> cases() throws IOException {
        Path dir = SharedData.file("templates");
        JsonNode records = new ObjectMapper().readTree(dir.resolve("visible.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode r : records) {
            out.add(Arguments.of(r.get("template").asText(), r.get("case").asText(), r));
        }
        return out.stream();
    }

    private static ChatTemplate template(String name) throws IOException {
        ChatTemplate t = COMPILED.get(name);
        if (t == null) {
            t = ChatTemplate.compile(Files.readString(SharedData.file("templates/" + name)));
            COMPILED.put(name, t);
        }
        return t;
    }

    @ParameterizedTest(name = "{0} case {1}")
    @MethodSource("cases")
    void rendersLikePythonJinja2(String templateName, String caseId, JsonNode record) throws IOException {
        ChatTemplate template = template(templateName);
        ChatRequestContext.Builder ctx = ChatRequestContext.builder()
            .messages(record.get("messages"))
            .addGenerationPrompt(record.get("add_generation_prompt").asBoolean())
            .bosToken(record.get("bos_token").asText())
            .eosToken(record.get("eos_token").asText())
            .clock(REFERENCE_CLOCK);
        if (!record.get("tools").isNull()) {
            ctx.tools(record.get("tools"));
        }
        ChatRequestContext context = ctx.build();
        JsonNode expected = record.get("expected");
        if (expected.isNull()) {
            String pythonError = record.get("error_type").asText() + ": " + record.get("error").asText();
            ChatTemplateException e = assertThrows(ChatTemplateException.class, () -> template.render(context),
                templateName + " case " + caseId + " must fail like Python did (" + pythonError + ")");
            if (record.get("error_type").asText().equals("TemplateError")) {
                assertEquals(ChatTemplateException.Kind.RAISED, e.kind(), templateName + " case " + caseId);
                assertEquals(record.get("error").asText(), e.getMessage(), templateName + " case " + caseId
                    + ": raise_exception message");
            }
            return;
        }
        String actual;
        try {
            actual = template.render(context);
        } catch (ChatTemplateException e) {
            fail(templateName + " case " + caseId + " raised " + e.kind() + " " + e.pythonType() + ": "
                + e.getMessage() + " but Python rendered it", e);
            return;
        }
        String want = expected.asText();
        if (!want.equals(actual)) {
            fail(templateName + " case " + caseId + ": " + TextDiffs.describe(want, actual));
        }
    }
}
