package dev.infer4j.formats.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Decoding inverts encoding wherever llama.cpp's does: SentencePiece drops exactly the space its encoder
 * prefixed; byte-level BPE gives back every byte, except that vocabularies with {@code clean_spaces} tidy the
 * spaces before punctuation and around apostrophes.
 */
class GgufTokenizerRoundTripTest {
    /** Where llama.cpp's clean-up of tokenization spaces changes text: " ?", " !", " .", " ,", " '". */
    private static final Pattern CLEANED = Pattern.compile(" [?!.,']");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama-spm", "phi-3", "deepseek-coder", "deepseek-llm"})
    void decodeGivesBackEveryInput(String name) {
        assertRoundTrips(name, false);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gpt-2", "falcon", "mpt", "starcoder", "refact", "dbrx.dedup"})
    void decodeGivesBackEveryInputThatSpaceCleaningLeavesAlone(String name) {
        assertRoundTrips(name, true);
    }

    private static void assertRoundTrips(String name, boolean skipCleaned) {
        VocabTestVectors vectors = VocabTestVectors.load(name);
        GgufTokenizer tokenizer = VocabTestVectors.tokenizer(name);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (VocabTestVectors.Case c : vectors.cases()) {
            if (skipCleaned && CLEANED.matcher(c.text()).find()) {
                continue;
            }
            checked++;
            String decoded = tokenizer.decode(tokenizer.encode(c.text()), false);
            if (!decoded.equals(c.text())) {
                failures.add(VocabTestVectors.show(c.text()) + " decoded as " + VocabTestVectors.show(decoded));
            }
        }
        if (!failures.isEmpty()) {
            fail(name + ": " + failures.size() + " inputs do not round-trip\n" + String.join("\n", failures));
        }
        assertTrue(checked >= 40, name + ": only " + checked + " inputs checked");
    }

    @Test
    void bpeDecodingCleansSpacesBeforePunctuationLikeLlamaCpp() {
        GgufTokenizer tokenizer = VocabTestVectors.tokenizer("gpt-2");
        String text = "Hello , world ! It 's a ' test ' .";
        assertEquals("Hello, world! It's a'test '.", tokenizer.decode(tokenizer.encode(text), false));
    }

    @Test
    void wordPieceDecodingLowercasesAndJoinsPiecesWithSpaces() {
        GgufTokenizer tokenizer = VocabTestVectors.tokenizer("bert-bge");
        assertEquals(" hello, world!", tokenizer.decode(tokenizer.encode("Hello, World!"), false));
    }

    @Test
    void sentencePieceKeepsTheLeadingSpaceAfterAHiddenBos() {
        GgufTokenizer tokenizer = VocabTestVectors.tokenizer("llama-spm");
        int[] withBos = tokenizer.encode("Hello world", true, false);
        assertEquals(1, withBos[0]);
        assertEquals(" Hello world", tokenizer.decode(withBos, false));
        assertEquals("<s> Hello world", tokenizer.decode(withBos, true));
        assertEquals(" Hello world", tokenizer.detokenize(withBos, true, false));
    }
}
