package dev.infer4j.formats.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real models' tokenizations recorded from llama.cpp's server ({@code reference/llama.cpp-outputs.json}):
 * ids and pieces of {@code /tokenize}, prompts with BOS, and the text of greedy completions rebuilt from their
 * token ids.
 */
class LlamaCppReferenceOutputsTest {
    private static final JsonNode REFERENCE = read();

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(SharedData.file("reference/llama.cpp-outputs.json").toFile());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> models() {
        return StreamSupport.stream(REFERENCE.spliterator(), false).map(m -> m.get("model").asText()).toList();
    }

    private static JsonNode entry(String model) {
        return StreamSupport.stream(REFERENCE.spliterator(), false)
                .filter(m -> m.get("model").asText().equals(model)).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void tokenizesAndRendersPiecesLikeLlamaServer(String model) throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.file("models/gguf/" + model))) {
            GgufTokenizer tokenizer = GgufTokenizers.load(file);
            JsonNode cases = entry(model).get("tokenize");
            assertFalse(cases.isEmpty(), "no tokenize cases for " + model);
            for (JsonNode c : cases) {
                String text = c.get("text").asText();
                boolean addSpecial = c.get("add_special").asBoolean();
                if (c.has("error")) {
                    // llama.cpp fails on a character this vocabulary has neither a piece nor a byte token for
                    assertThrows(UnencodableTextException.class, () -> tokenizer.encode(text, addSpecial, false),
                            model + ": " + VocabTestVectors.show(text) + " should be refused as llama.cpp refuses it");
                    continue;
                }
                int[] expected = ints(c.get("tokens"));
                int[] actual = tokenizer.encode(text, addSpecial, false);
                String difference = VocabTestVectors.firstDifference(expected, actual);
                assertTrue(difference == null, model + ": " + VocabTestVectors.show(text) + ": " + difference);
                JsonNode pieces = c.get("pieces");
                for (int i = 0; i < expected.length; i++) {
                    assertArrayEquals(pieceBytes(pieces.get(i)), tokenizer.tokenBytes(expected[i], true),
                            model + ": piece of token " + expected[i] + " in " + VocabTestVectors.show(text));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void addsBosToPromptsAndRebuildsCompletionText(String model) throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.file("models/gguf/" + model))) {
            GgufTokenizer tokenizer = GgufTokenizers.load(file);
            for (JsonNode c : entry(model).get("completions")) {
                String prompt = c.get("prompt").asText();
                assertArrayEquals(ints(c.get("prompt_tokens_with_bos")), tokenizer.encode(prompt, true, false),
                        model + ": prompt " + VocabTestVectors.show(prompt));
                ByteArrayOutputStream text = new ByteArrayOutputStream();
                for (int id : ints(c.get("tokens"))) {
                    text.writeBytes(tokenizer.tokenBytes(id, false));
                }
                assertEquals(c.get("content").asText(), text.toString(StandardCharsets.UTF_8),
                        model + ": completion of " + VocabTestVectors.show(prompt));
                for (JsonNode step : c.get("top3_first_5_steps")) {
                    for (JsonNode candidate : step) {
                        int id = candidate.get(0).asInt();
                        // the server renders candidates as generated text: control tokens (EOS) hidden
                        assertArrayEquals(pieceBytes(candidate.get(1)), tokenizer.tokenBytes(id, false),
                                model + ": piece of candidate token " + id);
                    }
                }
            }
        }
    }

    private static int[] ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A piece is a string, or an array of byte values where it is not valid UTF-8 on its own. */
    private static byte[] pieceBytes(JsonNode piece) {
        if (piece.isTextual()) {
            return piece.asText().getBytes(StandardCharsets.UTF_8);
        }
        byte[] bytes = new byte[piece.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) piece.get(i).asInt();
        }
        return bytes;
    }
}
