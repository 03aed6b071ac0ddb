package dev.infer4j.formats.synth;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.hf.HfTokenizer;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code tokenizer.json} converted from llama.cpp's Llama SentencePiece vocabulary tokenizes llama.cpp's
 * test strings as llama.cpp does ({@code ggml-vocab-llama-spm.gguf.out}: no BOS, special tokens not parsed), and
 * decodes them back.
 */
class SentencePieceTokenizerJsonTest {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    @Test
    void convertedTokenizerEncodesLikeLlamaCpp(@TempDir Path tmp) throws IOException {
        Path gguf = SharedData.file("vocab/ggml-vocab-llama-spm.gguf");
        HfTokenizer tokenizer = convert(gguf, tmp);
        String raw = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
        List<String> outLines = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>();
        // as llama.cpp's test reads it: inputs between separators, nothing after a final one
        for (int pos = 0; pos < raw.length(); ) {
            int next = raw.indexOf(SEPARATOR, pos);
            inputs.add(raw.substring(pos, next < 0 ? raw.length() : next));
            pos = next < 0 ? raw.length() : next + SEPARATOR.length();
        }
        assertEquals(outLines.size(), inputs.size(), "test vector count");
        int checked = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String line = outLines.get(i).strip();
            int[] want = line.isEmpty() ? new int[0] : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
            String text = inputs.get(i);
            assertArrayEquals(want, tokenizer.encode(text, false, false), "tokens of '" + text.replace("\n", "\\n") + "'");
            checked++;
        }
        assertTrue(checked > 30, "only " + checked + " cases");
    }

    @Test
    void bosIsAddedAndTextRoundTrips(@TempDir Path tmp) throws IOException {
        HfTokenizer tokenizer = convert(SharedData.file("vocab/ggml-vocab-llama-spm.gguf"), tmp);
        int[] ids = tokenizer.encode("Once upon a time", true, false);
        assertEquals(1, ids[0], "BOS first");
        assertEquals(1, tokenizer.specialTokens().bos());
        assertEquals(2, tokenizer.specialTokens().eos());
        assertEquals("Once upon a time", tokenizer.decode(Arrays.copyOfRange(ids, 1, ids.length), false));
        assertEquals(32000, tokenizer.vocabSize());
    }

    private static HfTokenizer convert(Path gguf, Path tmp) throws IOException {
        SentencePieceTokenizerJson converted;
        try (GgufFile vocab = GgufFile.open(gguf)) {
            converted = SentencePieceTokenizerJson.from(vocab);
        }
        converted.writeTokenizerJson(tmp.resolve("tokenizer.json"));
        converted.writeTokenizerConfig(tmp.resolve("tokenizer_config.json"), 2048);
        return HfTokenizer.load(tmp.resolve("tokenizer.json"), tmp.resolve("tokenizer_config.json"));
    }
}
