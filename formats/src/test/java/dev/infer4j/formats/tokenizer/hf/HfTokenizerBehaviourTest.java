package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.tokenizer.SpecialTokens;
import dev.infer4j.testdata.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static dev.infer4j.formats.tokenizer.hf.HfReferenceIdsTest.assertSameIds;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Special tokens, post-processing, configuration and the components the reference files do not exercise, on
 * the shared tokenizers with one part of their JSON swapped. Every expected id list was produced by Hugging
 * Face's {@code tokenizers} 0.23.2 (npm) on the same modified JSON.
 */
class HfTokenizerBehaviourTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GPT2 = "vocab/hf/gpt-2.tokenizer.json";
    private static final String STORIES = "models/safetensors/TinyStories-656K-F32/tokenizer.json";
    private static final String STORIES_CONFIG = "models/safetensors/TinyStories-656K-F32/tokenizer_config.json";
    private static final java.util.Map<String, JsonNode> PARSED = new java.util.concurrent.ConcurrentHashMap<>();

    @TempDir
    Path dir;

    @Test
    void specialTokensInTheTextAreMatchedOnlyWhenParseSpecialIsTrue() {
        HfTokenizer gpt2 = HfTokenizer.load(SharedData.file(GPT2), null);
        assertSameIds("gpt-2 parseSpecial", "a<|endoftext|>b", new int[] {64, 50256, 65},
                gpt2.encode("a<|endoftext|>b", false, true));
        assertSameIds("gpt-2 plain", "a<|endoftext|>b", new int[] {64, 27, 91, 437, 1659, 5239, 91, 29, 65},
                gpt2.encode("a<|endoftext|>b", false, false));
    }

    @Test
    void decodingDropsSpecialTokensUnlessAskedToRenderThem() {
        HfTokenizer gpt2 = HfTokenizer.load(SharedData.file(GPT2), null);
        int[] ids = {64, 50256, 65};
        assertEquals("a<|endoftext|>b", gpt2.decode(ids, true));
        assertEquals("ab", gpt2.decode(ids, false));
        assertEquals(0, gpt2.tokenBytes(50256, false).length);
        assertEquals("<|endoftext|>", new String(gpt2.tokenBytes(50256, true), StandardCharsets.UTF_8));
        assertEquals(" Hello", new String(gpt2.tokenBytes(18435, false), StandardCharsets.UTF_8));
        assertEquals("Ġworld", gpt2.tokenText(995));
        assertEquals(995, gpt2.tokenId("Ġworld"));
        assertEquals(50257, gpt2.vocabSize());
    }

    @Test
    void byteLevelTokensStreamPartialUtf8Bytes() {
        HfTokenizer gpt2 = HfTokenizer.load(SharedData.file(GPT2), null);
        int[] ids = gpt2.encode("🦙");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : ids) {
            out.writeBytes(gpt2.tokenBytes(id, false));
        }
        assertArrayEquals("🦙".getBytes(StandardCharsets.UTF_8), out.toByteArray(), "bytes of " + java.util.Arrays.toString(ids));
        assertTrue(ids.length > 1, "the emoji spans several byte-level tokens");
    }

    @Test
    void llama2StyleConfigAddsBosAndNamesTheSpecialTokens() {
        HfTokenizer stories = HfTokenizer.load(SharedData.file(STORIES), SharedData.file(STORIES_CONFIG));
        assertSameIds("TinyStories addSpecial", "Once upon a time", new int[] {1, 80, 147, 201, 282, 57},
                stories.encode("Once upon a time", true, true));
        assertSameIds("TinyStories addSpecial", "a\n<|end_story|>", new int[] {1, 85, 3, 208, 183, 209, 210},
                stories.encode("a\n<|end_story|>", true, true));
        assertEquals("<|start_story|> Once upon a time", stories.decode(new int[] {1, 80, 147, 201, 282, 57}, true));
        SpecialTokens s = stories.specialTokens();
        assertEquals(1, s.bos());
        assertEquals(2, s.eos());
        assertEquals(0, s.unknown());
        assertEquals(0, s.padding());
        assertTrue(s.addBos());
        assertFalse(s.addEos());
        assertTrue(s.isEndOfGeneration(2));
        assertEquals(Optional.empty(), stories.chatTemplate());
    }

    @Test
    void withoutAConfigThePostProcessorDecidesWhatAddSpecialAdds() {
        HfTokenizer stories = HfTokenizer.load(SharedData.file(STORIES), null);
        assertSameIds("TinyStories template", "Once upon a time", new int[] {1, 80, 147, 201, 282, 57},
                stories.encode("Once upon a time", true, false));
        assertEquals(1, stories.specialTokens().bos());
        assertTrue(stories.specialTokens().addBos());
        HfTokenizer gpt2 = HfTokenizer.load(SharedData.file(GPT2), null);
        assertSameIds("gpt-2 has no template", "Hello", gpt2.encode("Hello"), gpt2.encode("Hello", true, true));
        assertEquals(50256, gpt2.specialTokens().eos());
        assertTrue(gpt2.specialTokens().isEndOfGeneration(50256));
    }

    @Test
    void explicitAddEosAndChatTemplateFromTheConfigAreHonoured() throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree(SharedData.file(STORIES_CONFIG).toFile());
        config.put("add_eos_token", true);
        config.put("chat_template", "{% for m in messages %}{{ m.content }}{% endfor %}");
        Path configFile = dir.resolve("tokenizer_config.json");
        JSON.writeValue(configFile.toFile(), config);
        HfTokenizer stories = HfTokenizer.load(SharedData.file(STORIES), configFile);
        assertSameIds("TinyStories add_eos_token", "Once upon a time", new int[] {1, 80, 147, 201, 282, 57, 2},
                stories.encode("Once upon a time", true, true));
        assertTrue(stories.specialTokens().addEos());
        assertEquals(Optional.of("{% for m in messages %}{{ m.content }}{% endfor %}"), stories.chatTemplate());

        ArrayNode named = config.putArray("chat_template");
        named.addObject().put("name", "tool_use").put("template", "T");
        named.addObject().put("name", "default").put("template", "D");
        JSON.writeValue(configFile.toFile(), config);
        assertEquals(Optional.of("D"), HfTokenizer.load(SharedData.file(STORIES), configFile).chatTemplate());
    }

    @Test
    void addedTokenOptionsFollowTheLibrary() throws IOException {
        Path file = variant(GPT2, root -> {
            ArrayNode added = (ArrayNode) root.get("added_tokens");
            added.add(json("{\"id\":50257,\"content\":\"<|im_start|>\",\"special\":true,\"normalized\":false}"));
            added.add(json("{\"id\":50258,\"content\":\"<|im_end|>\",\"special\":true,\"rstrip\":true,\"normalized\":false}"));
            added.add(json("{\"id\":50259,\"content\":\"[MASK]\",\"special\":true,\"lstrip\":true,\"rstrip\":true,\"normalized\":false}"));
            // already in the vocab: the library keeps the vocab's id 31373 whatever the file says
            added.add(json("{\"id\":50260,\"content\":\"hello\",\"single_word\":true,\"normalized\":true}"));
            added.add(json("{\"id\":50261,\"content\":\"World\",\"normalized\":false}"));
            added.add(json("{\"id\":50262,\"content\":\"<sep>\",\"lstrip\":true,\"normalized\":false}"));
            added.add(json("{\"id\":50263,\"content\":\"ab\",\"single_word\":true,\"normalized\":false}"));
            added.add(json("{\"id\":50264,\"content\":\"<|im_start|>x\",\"normalized\":false}"));
            root.set("normalizer", json("{\"type\":\"Lowercase\"}"));
        });
        HfTokenizer tok = HfTokenizer.load(file, null);
        expect(tok, "<|im_start|>user hello World<|im_end|> next", 50257, 7220, 220, 31373, 220, 10603, 50258, 19545);
        expect(tok, " [MASK] x", 50259, 87);
        expect(tok, "hello HELLO xhello", 31373, 220, 31373, 2124, 31373);
        expect(tok, "a<sep> b <sep>c", 64, 50260, 275, 50260, 66);
        expect(tok, "abcab", 39305, 397);
        expect(tok, "<|im_start|>xy", 50261, 88);
        assertEquals("user hello Worldnext", tok.decode(new int[] {50257, 7220, 220, 31373, 220, 10603, 50258, 19545},
                false));
    }

    @ParameterizedTest(name = "prepend_scheme {0}, split {1}: \"{2}\"")
    @CsvSource(delimiter = ';', value = {
        "first;true;'Once upon a time';80 147 682 80 189 111 85 80 230 57",
        "first;true;' Hello  world';80 1288 67 80 80 410 555",
        "first;true;'<|start_story|>Hi there';1 1158 80 249 57",
        "always;false;'Once upon a time';80 147 201 282 57",
        "always;false;' Hello  world';80 1288 139 80 410 555",
        "always;false;'<|start_story|>Hi there';1 80 1158 80 249 57",
        "never;true;'Once upon a time';147 682 80 189 111 85 80 230 57",
        "never;true;' Hello  world';80 1288 67 80 80 410 555",
        "never;true;'<|start_story|>Hi there';1 1158 80 249 57"})
    void metaspacePreTokenizerMatchesTheLibrary(String scheme, boolean split, String text, String ids)
            throws IOException {
        Path file = variant(STORIES, root -> {
            root.putNull("normalizer");
            root.set("pre_tokenizer", json("{\"type\":\"Metaspace\",\"replacement\":\"▁\",\"prepend_scheme\":\""
                    + scheme + "\",\"split\":" + split + "}"));
        });
        expect(HfTokenizer.load(file, null), text, parse(ids));
    }

    @ParameterizedTest(name = "{0}, invert {1}")
    @CsvSource(delimiter = ';', value = {
        "Removed;false;397 10210",
        "Removed;true;220 1065 220 220 18",
        "Isolated;false;397 220 1065 220 220 10210 18",
        "Isolated;true;397 220 1065 220 220 10210 18",
        "MergedWithPrevious;false;397 220 1065 220 220 10210 18",
        "MergedWithPrevious;true;397 220 1065 220 22927 18",
        "MergedWithNext;false;397 220 1065 220 22927 18",
        "MergedWithNext;true;397 220 1065 220 220 10210 18",
        "Contiguous;false;397 1105 220 220 10210 18",
        "Contiguous;true;397 1105 220 220 10210 18"})
    void splitBehavioursMatchTheLibrary(String behavior, boolean invert, String ids) throws IOException {
        Path file = variant(GPT2, root -> root.set("pre_tokenizer", json("{\"type\":\"Sequence\",\"pretokenizers\":["
                + "{\"type\":\"Split\",\"pattern\":{\"Regex\":\"\\\\s+|[0-9]+\"},\"behavior\":\"" + behavior
                + "\",\"invert\":" + invert + "},"
                + "{\"type\":\"ByteLevel\",\"add_prefix_space\":false,\"trim_offsets\":true,\"use_regex\":false}]}")));
        expect(HfTokenizer.load(file, null), "ab 12  cd3", parse(ids));
    }

    @Test
    void anUnsupportedComponentIsNamedInTheError() throws IOException {
        Path file = variant(STORIES, root -> root.set("normalizer", json(
                "{\"type\":\"Sequence\",\"normalizers\":[{\"type\":\"NFC\"},{\"type\":\"Precompiled\"}]}")));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfTokenizer.load(file, null));
        assertTrue(e.getMessage().contains("normalizer.normalizers[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("unsupported normalizer type 'Precompiled'"), e.getMessage());
    }

    @Test
    void aMergeOfUnknownTokensIsRejected() throws IOException {
        Path file = variant(STORIES, root -> ((ArrayNode) root.get("model").get("merges")).insert(0, "e NOT_A_TOKEN"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfTokenizer.load(file, null));
        assertTrue(e.getMessage().contains("model.merges[0]") && e.getMessage().contains("NOT_A_TOKEN"),
                e.getMessage());
    }

    @Test
    void truncatedJsonReportsWhereItBroke() throws IOException {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> HfTokenizer.load(file, null));
        assertTrue(e.offset() > 0, e.getMessage());
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
    }

    private static void expect(HfTokenizer tok, String text, int... ids) {
        assertSameIds("variant", text, ids, tok.encode(text, false, true));
    }

    private static int[] parse(String ids) {
        return java.util.Arrays.stream(ids.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
    }

    private static JsonNode parseShared(String shared) {
        try {
            return JSON.readTree(SharedData.file(shared).toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** A copy of a shared tokenizer.json with {@code edit} applied, written to the test's temporary folder. */
    private Path variant(String shared, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) PARSED.computeIfAbsent(shared, HfTokenizerBehaviourTest::parseShared).deepCopy();
        edit.accept(root);
        Path file = Files.createTempFile(dir, "tokenizer", ".json");
        JSON.writeValue(file.toFile(), root);
        return file;
    }
}
