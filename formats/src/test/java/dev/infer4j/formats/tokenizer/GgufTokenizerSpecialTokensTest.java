package dev.infer4j.formats.tokenizer;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Special tokens written in the text, special ids from metadata, and rendering of control tokens. */
class GgufTokenizerSpecialTokensTest {

    private static GgufTokenizer load(String vocabulary) {
        return VocabTestVectors.tokenizer(vocabulary);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    @Test
    void controlTokenInTextIsOneIdOnlyWhenParsingSpecials() {
        GgufTokenizer gpt2 = load("gpt-2");
        assertArrayEquals(new int[] {50256}, gpt2.encode("<|endoftext|>", false, true));
        assertArrayEquals(concat(gpt2.encode("Hello"), new int[] {50256}, gpt2.encode(" world")),
                gpt2.encode("Hello<|endoftext|> world", false, true));
        int[] plain = gpt2.encode("<|endoftext|>", false, false);
        assertTrue(plain.length > 1, "as plain text the marker is spelled: " + Arrays.toString(plain));
        assertFalse(IntStream.of(plain).anyMatch(id -> id == 50256));
        assertEquals("<|endoftext|>", gpt2.decode(plain, false));
    }

    @Test
    void sentencePiecePrefixesASpaceToTextAfterASpecialToken() {
        GgufTokenizer spm = load("llama-spm");
        // llama.cpp: a text run that follows a special token is encoded as if it started the text
        assertArrayEquals(concat(spm.encode("Hello"), new int[] {2}, spm.encode("world")),
                spm.encode("Hello</s>world", false, true));
        assertArrayEquals(concat(new int[] {1}, spm.encode("Hello")), spm.encode("Hello", true, false));
    }

    @Test
    void phi3SpecialTokensSwallowTheWhiteSpaceAfterThem() {
        GgufTokenizer phi3 = load("phi-3");
        int user = phi3.tokenId("<|user|>");
        int end = phi3.tokenId("<|end|>");
        assertEquals(32010, user);
        assertEquals(32007, end);
        // llama.cpp marks phi-3's special tokens RSTRIP: "\n" after <|user|> and <|end|> is dropped
        assertArrayEquals(concat(new int[] {user}, phi3.encode("Hello"), new int[] {end}),
                phi3.encode("<|user|>\nHello<|end|>\n", false, true));
    }

    @Test
    void controlTokensRenderOnlyWhenAsked() {
        GgufTokenizer spm = load("llama-spm");
        assertEquals(0, spm.tokenBytes(1, false).length);
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), spm.tokenBytes(1, true));
        assertTrue(spm.isSpecial(1));
        int newline = spm.tokenId("<0x0A>");
        assertArrayEquals(new byte[] {'\n'}, spm.tokenBytes(newline, false));
        assertArrayEquals(" Hello".getBytes(StandardCharsets.UTF_8), spm.tokenBytes(spm.tokenId("\u2581Hello"), false));
    }

    @Test
    void specialIdsFollowMetadataAndLlamaCppDefaults() {
        SpecialTokens spm = load("llama-spm").specialTokens();
        assertEquals(1, spm.bos());
        assertEquals(2, spm.eos());
        assertEquals(0, spm.unknown());
        assertTrue(spm.addBos());
        assertFalse(spm.addEos());
        assertTrue(spm.isEndOfGeneration(2));

        SpecialTokens phi3 = load("phi-3").specialTokens();
        assertEquals(32000, phi3.eos());
        assertEquals(32007, phi3.eot(), "<|end|> is phi-3's end of turn");
        for (int id : new int[] {2, 32000, 32007}) {
            assertTrue(phi3.isEndOfGeneration(id), "end of generation: " + id);
        }

        SpecialTokens gpt2 = load("gpt-2").specialTokens();
        assertEquals(50256, gpt2.bos());
        assertFalse(gpt2.addBos(), "GPT-2 BPE adds no BOS by default");
        assertArrayEquals(new int[] {50256}, gpt2.endOfGeneration());

        SpecialTokens bert = load("bert-bge").specialTokens();
        assertEquals(101, bert.bos(), "BERT's default BOS is [CLS]");
        assertEquals(100, bert.unknown());
    }

    @Test
    void wordPieceWrapsInClsAndSep() {
        GgufTokenizer bert = load("bert-bge");
        int[] ids = bert.encode("hello", true, false);
        assertEquals(101, ids[0]);
        assertEquals(102, ids[ids.length - 1]);
        assertArrayEquals(bert.encode("hello"), Arrays.copyOfRange(ids, 1, ids.length - 1));
    }
}
