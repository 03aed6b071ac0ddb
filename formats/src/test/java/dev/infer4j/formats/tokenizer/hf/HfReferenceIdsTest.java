package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.testdata.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every case of {@code ../shared/vocab/hf/*.hf-ids.json}: ids produced by Hugging Face's own {@code tokenizers}
 * library (add_special_tokens=false) for the llama.cpp tokenizer test strings.
 */
class HfReferenceIdsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, HfTokenizer> LOADED = new ConcurrentHashMap<>();

    /** A reference file and the tokenizer it was made with. */
    private record Reference(String name, String ids, String tokenizer, String config) {
        HfTokenizer load() {
            return LOADED.computeIfAbsent(name, n -> HfTokenizer.load(SharedData.file(tokenizer),
                    config == null ? null : SharedData.file(config)));
        }
    }

    private static final List<Reference> REFERENCES = List.of(
            new Reference("gpt-2", "vocab/hf/gpt-2.hf-ids.json", "vocab/hf/gpt-2.tokenizer.json", null),
            new Reference("dbrx-llama3-style", "vocab/hf/dbrx-llama3-style.hf-ids.json",
                    "vocab/hf/dbrx-llama3-style.tokenizer.json", null),
            new Reference("TinyStories-656K", "vocab/hf/TinyStories-656K.hf-ids.json",
                    "models/safetensors/TinyStories-656K-F32/tokenizer.json",
                    "models/safetensors/TinyStories-656K-F32/tokenizer_config.json"));

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Reference ref : REFERENCES) {
            JsonNode cases = read(SharedData.file(ref.ids())).get("cases");
            for (int i = 0; i < cases.size(); i++) {
                JsonNode c = cases.get(i);
                int[] ids = new int[c.get("ids").size()];
                for (int k = 0; k < ids.length; k++) {
                    ids[k] = c.get("ids").get(k).asInt();
                }
                all.add(Arguments.of(ref, i, c.get("text").asText(), ids));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} case {1}")
    @MethodSource("cases")
    void encodesLikeHuggingFace(Reference ref, int index, String text, int[] expected) {
        int[] actual = ref.load().encode(text);
        assertSameIds(ref.name(), text, expected, actual);
    }

    @ParameterizedTest(name = "{0} case {1}")
    @MethodSource("cases")
    void decodingTheReferenceIdsGivesTheTextBack(Reference ref, int index, String text, int[] expected) {
        HfTokenizer tok = ref.load();
        if (Arrays.stream(expected).anyMatch(id -> id == tok.specialTokens().unknown())) {
            return; // the unknown token stands for text it cannot give back
        }
        assertEquals(text, tok.decode(expected, true), ref.name() + ": decode(ids of \"" + text + "\")");
        StringBuilder streamed = new StringBuilder();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int id : expected) {
            bytes.writeBytes(tok.tokenBytes(id, true));
        }
        streamed.append(bytes.toString(java.nio.charset.StandardCharsets.UTF_8));
        String viaPieces = streamed.toString();
        // per-token bytes keep the leading space that a SentencePiece-style decoder strips from the whole text
        String expectedPieces = ref.name().startsWith("TinyStories") && !text.isEmpty() ? " " + text : text;
        assertEquals(expectedPieces, viaPieces, ref.name() + ": concatenated tokenBytes of \"" + text + "\"");
    }

    static void assertSameIds(String name, String text, int[] expected, int[] actual) {
        if (Arrays.equals(expected, actual)) {
            return;
        }
        int first = Arrays.mismatch(expected, actual);
        fail(name + ": \"" + escape(text) + "\"\n  first difference at index " + first + "\n  expected "
                + Arrays.toString(expected) + "\n  actual   " + Arrays.toString(actual));
    }

    static String escape(String s) {
        return s.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r");
    }

    private static JsonNode read(Path p) {
        try {
            return JSON.readTree(Files.readString(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
