package dev.infer4j.runtime.spec;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.SpecialTokens;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedVocabularyTest {

    private static Tokenizer load(String name) throws IOException {
        try (GgufFile f = GgufFile.open(SharedData.file("models/gguf/" + name))) {
            return GgufTokenizers.load(f);
        }
    }

    /** The same vocabulary with one token's text changed. */
    private record Renamed(Tokenizer base, int id, String text) implements Tokenizer {
        public int[] encode(String s, boolean addSpecial, boolean parseSpecial) {
            return base.encode(s, addSpecial, parseSpecial);
        }

        public byte[] tokenBytes(int token, boolean renderSpecial) {
            return base.tokenBytes(token, renderSpecial);
        }

        public int vocabSize() {
            return base.vocabSize();
        }

        public String tokenText(int token) {
            return token == id ? text : base.tokenText(token);
        }

        public int tokenId(String s) {
            return base.tokenId(s);
        }

        public SpecialTokens specialTokens() {
            return base.specialTokens();
        }
    }

    @Test
    void aQuantizedCopySharesTheVocabulary() throws IOException {
        assertDoesNotThrow(() -> SharedVocabulary.require(load("stories260K.gguf"), load("stories260K-Q4_0.gguf"), null));
    }

    @Test
    void oneDifferentTokenTextIsNamed() throws IOException {
        Tokenizer target = load("stories260K.gguf");
        Tokenizer draft = new Renamed(target, 300, "zzz");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> SharedVocabulary.require(target, draft, Path.of("draft.gguf")));
        assertTrue(e.getMessage().contains("draft.gguf") && e.getMessage().contains("token 300 is \"zzz\" in the draft"),
                e.getMessage());
    }
}
