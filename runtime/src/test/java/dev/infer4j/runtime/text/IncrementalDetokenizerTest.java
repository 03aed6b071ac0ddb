package dev.infer4j.runtime.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IncrementalDetokenizerTest {

    private final FakeTokenizer vocab = new FakeTokenizer();
    private final int hello = vocab.text(" Hello");   // SentencePiece "▁Hello"
    private final int world = vocab.text(" world");
    private final int bang = vocab.text("!");
    private final int eos = vocab.control("</s>");
    private final int f0 = vocab.rawByte(0xF0);       // byte-fallback tokens <0xF0> <0x9F> <0x98> <0x80>
    private final int x9f = vocab.rawByte(0x9F);
    private final int x98 = vocab.rawByte(0x98);
    private final int x80 = vocab.rawByte(0x80);
    private final int zhHead = vocab.bytes(0xE4, 0xB8);  // a byte-level BPE piece ending mid-character
    private final int zhTail = vocab.bytes(0xAD, 0xE6);  // completes 中, starts 文
    private final int wenTail = vocab.bytes(0x96, 0x87); // completes 文

    private List<String> run(IncrementalDetokenizer d, int... tokens) {
        List<String> out = new ArrayList<>();
        for (int t : tokens) {
            out.add(d.push(t));
        }
        out.add(d.finish());
        return out;
    }

    @Test
    void aContinuationKeepsTheLeadingSpaceAsLlamaCppsServerStreamsIt() {
        IncrementalDetokenizer d = new IncrementalDetokenizer(vocab, false, false);
        assertEquals(List.of(" Hello", " world", "!", ""), run(d, hello, world, bang));
    }

    @Test
    void decodingFromTheStartDropsOnlyTheFirstTokensLeadingSpace() {
        IncrementalDetokenizer d = new IncrementalDetokenizer(vocab, false, true);
        assertEquals(List.of("Hello", " world", ""), run(d, hello, world));
        // the first token decides: if it has no leading space nothing is dropped, not even later
        IncrementalDetokenizer e = new IncrementalDetokenizer(vocab, false, true);
        assertEquals(List.of("!", " world", ""), run(e, bang, world));
    }

    @Test
    void anEmojiInFourByteTokensIsEmittedWhole() {
        IncrementalDetokenizer d = new IncrementalDetokenizer(vocab, false, false);
        assertEquals(List.of(" Hello", "", "", "", "\uD83D\uDE00", "!", ""), run(d, hello, f0, x9f, x98, x80, bang));
    }

    @Test
    void cjkSplitAcrossByteLevelPiecesIsEmittedPerCharacter() {
        IncrementalDetokenizer d = new IncrementalDetokenizer(vocab, false, false);
        assertEquals(List.of("", "中", "文", ""), run(d, zhHead, zhTail, wenTail));
    }

    @Test
    void aCharacterThatNeverCompletesBecomesReplacementAtTheEnd() {
        IncrementalDetokenizer d = new IncrementalDetokenizer(vocab, false, false);
        assertEquals(List.of("", "", "\uFFFD"), run(d, f0, x9f));
        IncrementalDetokenizer e = new IncrementalDetokenizer(vocab, false, false);
        assertEquals(List.of("", "\uFFFD world", ""), run(e, f0, world), "interrupted by a complete token");
    }

    @Test
    void controlTokensRenderOnlyOnRequest() {
        assertEquals(List.of("!", "", ""), run(new IncrementalDetokenizer(vocab, false, false), bang, eos));
        assertEquals(List.of("!", "</s>", ""), run(new IncrementalDetokenizer(vocab, true, false), bang, eos));
    }
}
