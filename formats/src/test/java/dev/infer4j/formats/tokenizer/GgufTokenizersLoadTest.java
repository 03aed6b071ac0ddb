package dev.infer4j.formats.tokenizer;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufValue;
import dev.infer4j.formats.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the loader refuses, and the pre-tokenizers it knows but has no vocabulary file for. */
class GgufTokenizersLoadTest {
    @TempDir
    Path dir;

    private GgufFile write(GgufWriter writer) throws IOException {
        Path path = dir.resolve("vocab.gguf");
        writer.write(path);
        return GgufFile.open(path);
    }

    private static GgufWriter bpe(String pre, String... tokens) {
        return new GgufWriter()
                .put("tokenizer.ggml.model", GgufValue.ofString("gpt2"))
                .put("tokenizer.ggml.pre", GgufValue.ofString(pre))
                .put("tokenizer.ggml.tokens", GgufValue.ofStrings(tokens))
                .put("tokenizer.ggml.merges", GgufValue.ofStrings(new String[] {"a b"}));
    }

    @Test
    void refusesAnUnsupportedTokenizerModelByName() throws IOException {
        try (GgufFile file = write(new GgufWriter()
                .put("tokenizer.ggml.model", GgufValue.ofString("t5"))
                .put("tokenizer.ggml.tokens", GgufValue.ofStrings(new String[] {"a"})))) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufTokenizers.load(file));
            assertTrue(e.getMessage().contains("'t5'"), e.getMessage());
        }
    }

    @Test
    void refusesAnUnknownPreTokenizerByName() throws IOException {
        try (GgufFile file = write(bpe("no-such-pre", "a", "b", "ab"))) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufTokenizers.load(file));
            assertTrue(e.getMessage().contains("'no-such-pre'"), e.getMessage());
        }
    }

    @Test
    void refusesDuplicateTokensNamingBothIds() throws IOException {
        try (GgufFile file = write(bpe("gpt-2", "a", "b", "a"))) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufTokenizers.load(file));
            assertTrue(e.getMessage().contains("ids 0 and 2"), e.getMessage());
        }
    }

    @Test
    void refusesAddBosWithoutABosToken() throws IOException {
        try (GgufFile file = write(bpe("gpt-2", "a", "b", "ab")
                .put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true)))) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufTokenizers.load(file));
            assertTrue(e.getMessage().contains("bos_token_id"), e.getMessage());
        }
    }

    @Test
    void mergesAByteLevelPairIntoItsToken() throws IOException {
        try (GgufFile file = write(bpe("gpt-2", "a", "b", "ab"))) {
            GgufTokenizer tokenizer = GgufTokenizers.load(file);
            assertArrayEquals(new int[] {2, 0}, tokenizer.encode("aba"));
        }
    }

    @ParameterizedTest
    @EnumSource(BpePreTokenizer.class)
    void everyKnownPreTokenizerCompilesAndSplitsText(BpePreTokenizer pre) {
        PreTokenizer splitter = assertDoesNotThrow(() -> new PreTokenizer(pre.regexes));
        String text = "Hello, y'all! 3333 emojis 🦙 \t\n Привет 你好 ";
        IntList words = splitter.split(new SplitText(text.codePoints().toArray()));
        int total = 0;
        for (int i = 0; i < words.size(); i++) {
            total += words.get(i);
        }
        assertTrue(total == text.codePointCount(0, text.length()), pre + " covers the text");
    }
}
