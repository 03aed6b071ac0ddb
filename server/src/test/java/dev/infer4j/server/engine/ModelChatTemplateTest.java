package dev.infer4j.server.engine;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.runtime.chat.BuiltinChatTemplate;
import dev.infer4j.runtime.chat.ChatRequestContext;
import dev.infer4j.runtime.model.Architecture;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelChatTemplateTest {

    private static GgufFile stories;
    private static Tokenizer storiesTokenizer;

    @BeforeAll
    static void open() throws IOException {
        stories = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"));
        storiesTokenizer = GgufTokenizers.load(stories);
    }

    @AfterAll
    static void close() {
        stories.close();
    }

    private static ChatRequestContext hello() {
        return ChatRequestContext.builder().message("user", "Hello").build();
    }

    @Test
    void modelWithoutTemplateFallsBackToChatml() {
        assertFalse(stories.get(ModelChatTemplate.GGUF_KEY).isPresent(), "stories260K ships no chat template");
        ModelChatTemplate t = ModelChatTemplate.select(null, stories, Architecture.LLAMA, storiesTokenizer);
        assertEquals("built-in chatml (fallback for llama)", t.origin());
        assertEquals("<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n", t.template().render(hello()));
    }

    @Test
    void fallbackFollowsTheArchitecture() {
        assertEquals(BuiltinChatTemplate.CHATML, ModelChatTemplate.fallbackFor(Architecture.QWEN3, storiesTokenizer));
        assertEquals(BuiltinChatTemplate.GEMMA, ModelChatTemplate.fallbackFor(Architecture.GEMMA2, storiesTokenizer));
        assertEquals(BuiltinChatTemplate.PHI3, ModelChatTemplate.fallbackFor(Architecture.PHI3, storiesTokenizer));
    }

    @Test
    void userChoiceByNameOrFileWins() {
        ModelChatTemplate byName = ModelChatTemplate.select("Llama3", stories, Architecture.LLAMA, storiesTokenizer);
        assertEquals("built-in llama3", byName.origin());
        Path file = SharedData.file("templates/Qwen-Qwen2.5-7B-Instruct.jinja");
        ModelChatTemplate byFile = ModelChatTemplate.select(file.toString(), stories, Architecture.LLAMA,
                storiesTokenizer);
        assertEquals("file " + file, byFile.origin());
        assertTrue(byFile.template().render(hello()).contains("<|im_start|>user\nHello<|im_end|>"),
                byFile.template().render(hello()));
    }

    @Test
    void unknownChoiceIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelChatTemplate.select("no-such-format", stories, Architecture.LLAMA, storiesTokenizer));
        assertTrue(e.getMessage().contains("neither a built-in format (chatml, llama2, llama3, mistral, gemma, phi3)"),
                e.getMessage());
    }
}
