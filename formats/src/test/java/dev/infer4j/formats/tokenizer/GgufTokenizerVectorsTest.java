package dev.infer4j.formats.tokenizer;

import dev.infer4j.formats.gguf.GgufFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every llama.cpp tokenizer test vector whose vocabulary is present, token for token. */
class GgufTokenizerVectorsTest {

    static List<String> vocabularies() {
        return VocabTestVectors.presentNames();
    }

    @Test
    void everyExpectedVocabularyIsPresent() {
        Set<String> expected = Set.of("bert-bge", "dbrx.dedup", "deepseek-coder", "deepseek-llm", "falcon",
                "gpt-2", "llama-spm", "mpt", "phi-3", "refact", "starcoder");
        assertTrue(vocabularies().containsAll(expected), "vector sets found: " + vocabularies());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vocabularies")
    void encodesLikeLlamaCpp(String name) throws IOException {
        VocabTestVectors vectors = VocabTestVectors.load(name);
        try (GgufFile file = GgufFile.open(vectors.gguf())) {
            GgufTokenizer tokenizer = GgufTokenizers.load(file);
            List<String> failures = new ArrayList<>();
            for (VocabTestVectors.Case c : vectors.cases()) {
                int[] actual = tokenizer.encode(c.text(), false, false);
                String difference = VocabTestVectors.firstDifference(c.ids(), actual);
                if (difference != null) {
                    failures.add("input " + VocabTestVectors.show(c.text()) + ": " + difference);
                }
            }
            if (!failures.isEmpty()) {
                fail(name + ": " + failures.size() + " of " + vectors.cases().size() + " inputs differ from llama.cpp\n"
                        + String.join("\n", failures));
            }
            assertEquals(46, vectors.cases().size() + (name.equals("dbrx.dedup") ? 3 : 0), "number of vectors");
        }
    }
}
