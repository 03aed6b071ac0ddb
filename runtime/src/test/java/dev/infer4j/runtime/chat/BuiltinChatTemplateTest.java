package dev.infer4j.runtime.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The fallback formats against the outputs llama.cpp's {@code tests/test-chat-template.cpp} records for the
 * reference templates of each family, on that test's six-message conversation (the same strings Python's jinja2
 * gives for these sources).
 */
class BuiltinChatTemplateTest {
    private static ChatRequestContext conversation(String bos, String eos) {
        return ChatRequestContext.builder()
            .message("system", "You are a helpful assistant")
            .message("user", "Hello")
            .message("assistant", "Hi there")
            .message("user", "Who are you")
            .message("assistant", "   I am an assistant   ")
            .message("user", "Another question")
            .bosToken(bos)
            .eosToken(eos)
            .build();
    }

    private static void assertRenders(BuiltinChatTemplate format, ChatRequestContext ctx, String expected) {
        String actual = ChatTemplate.builtin(format).render(ctx);
        assertEquals(expected, actual, () -> format + ": " + TextDiffs.describe(expected, actual));
    }

    @Test
    void chatmlMatchesOpenHermes() {
        assertRenders(BuiltinChatTemplate.CHATML, conversation("", ""),
            "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nHello<|im_end|>\n"
                + "<|im_start|>assistant\nHi there<|im_end|>\n<|im_start|>user\nWho are you<|im_end|>\n"
                + "<|im_start|>assistant\n   I am an assistant   <|im_end|>\n<|im_start|>user\nAnother question"
                + "<|im_end|>\n<|im_start|>assistant\n");
    }

    @Test
    void llama2MatchesLlama2ChatFormat() {
        assertRenders(BuiltinChatTemplate.LLAMA2, conversation("", "</s>"),
            "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s>[INST] Who are you"
                + " [/INST] I am an assistant </s>[INST] Another question [/INST]");
    }

    @Test
    void llama3MatchesLlama3Instruct() {
        assertRenders(BuiltinChatTemplate.LLAMA3, conversation("", ""),
            "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void mistralMatchesMistralV1() {
        assertRenders(BuiltinChatTemplate.MISTRAL, conversation("", "</s>"),
            " [INST] You are a helpful assistant\n\nHello [/INST] Hi there</s> [INST] Who are you [/INST]    I am an"
                + " assistant   </s> [INST] Another question [/INST]");
    }

    @Test
    void gemmaPrefixesSystemToFirstUserTurn() {
        assertRenders(BuiltinChatTemplate.GEMMA, conversation("", ""),
            "<start_of_turn>user\nYou are a helpful assistant\n\nHello<end_of_turn>\n<start_of_turn>model\nHi there"
                + "<end_of_turn>\n<start_of_turn>user\nWho are you<end_of_turn>\n<start_of_turn>model\nI am an "
                + "assistant<end_of_turn>\n<start_of_turn>user\nAnother question<end_of_turn>\n<start_of_turn>model\n");
    }

    @Test
    void phi3MatchesPhi3Format() {
        assertRenders(BuiltinChatTemplate.PHI3, conversation("", ""),
            "<|system|>\nYou are a helpful assistant<|end|>\n<|user|>\nHello<|end|>\n<|assistant|>\nHi there<|end|>\n"
                + "<|user|>\nWho are you<|end|>\n<|assistant|>\n   I am an assistant   <|end|>\n<|user|>\n"
                + "Another question<|end|>\n<|assistant|>\n");
    }

    @ParameterizedTest
    @EnumSource(BuiltinChatTemplate.class)
    void contentPartsContributeTheirTextParts(BuiltinChatTemplate format) {
        Map<String, Object> message = Map.of("role", "user", "content", List.of(
            Map.of("type", "text", "text", "Hi "),
            Map.of("type", "image_url", "image_url", Map.of("url", "http://x")),
            Map.of("type", "text", "text", "there")));
        ChatRequestContext parts = ChatRequestContext.builder().message(message).bosToken("<s>").eosToken("</s>")
            .build();
        ChatRequestContext plain = ChatRequestContext.builder().message("user", "Hi there").bosToken("<s>")
            .eosToken("</s>").build();
        ChatTemplate template = ChatTemplate.builtin(format);
        assertEquals(template.render(plain), template.render(parts), format + ": parts must render as their text");
    }

    @Test
    void llama2RefusesTurnsThatDoNotAlternate() {
        ChatRequestContext ctx = ChatRequestContext.builder().message("user", "a").message("user", "b").build();
        ChatTemplateException e = assertThrows(ChatTemplateException.class,
            () -> ChatTemplate.builtin(BuiltinChatTemplate.LLAMA2).render(ctx));
        assertEquals(ChatTemplateException.Kind.RAISED, e.kind());
        assertEquals("Conversation roles must alternate user/assistant/user/assistant/...", e.getMessage());
    }

    @Test
    void generationPromptIsLeftOutWhenNotAsked() {
        ChatRequestContext ctx = ChatRequestContext.builder().message("user", "Hi").addGenerationPrompt(false).build();
        assertEquals("<|im_start|>user\nHi<|im_end|>\n", ChatTemplate.builtin(BuiltinChatTemplate.CHATML).render(ctx));
    }

    @Test
    void formatsAreFoundByName() {
        for (BuiltinChatTemplate t : BuiltinChatTemplate.values()) {
            assertEquals(t, BuiltinChatTemplate.byName(t.key()));
            assertEquals(t, BuiltinChatTemplate.byName(t.key().toUpperCase(java.util.Locale.ROOT)));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BuiltinChatTemplate.byName("vicuna"));
        assertEquals(true, e.getMessage().contains("chatml"), e.getMessage());
    }
}
