package dev.infer4j.runtime.text;

import dev.infer4j.formats.tokenizer.SpecialTokens;
import dev.infer4j.formats.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A hand-made vocabulary for detokenizer tests: each id maps to fixed bytes; control tokens render their text
 * only with {@code renderSpecial}. Encoding is not part of what these tests exercise: it fails loudly.
 */
final class FakeTokenizer implements Tokenizer {

    private final List<byte[]> pieces = new ArrayList<>();
    private final List<Boolean> control = new ArrayList<>();

    /** Adds a text piece and returns its id. */
    int text(String piece) {
        return add(piece.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
    }

    /** Adds a single-byte piece (as SentencePiece's byte fallback {@code <0xF0>}) and returns its id. */
    int rawByte(int b) {
        return add(new byte[] {(byte) b}, false);
    }

    /** Adds a piece of arbitrary bytes and returns its id. */
    int bytes(int... bs) {
        byte[] b = new byte[bs.length];
        for (int i = 0; i < bs.length; i++) {
            b[i] = (byte) bs[i];
        }
        return add(b, false);
    }

    /** Adds a control token whose text renders only on request. */
    int control(String text) {
        return add(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), true);
    }

    private int add(byte[] piece, boolean isControl) {
        pieces.add(piece);
        control.add(isControl);
        return pieces.size() - 1;
    }

    @Override
    public byte[] tokenBytes(int token, boolean renderSpecial) {
        if (control.get(token) && !renderSpecial) {
            return new byte[0];
        }
        return pieces.get(token).clone();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        throw new AssertionError("the fake tokenizer only decodes");
    }

    @Override
    public int vocabSize() {
        return pieces.size();
    }

    @Override
    public String tokenText(int token) {
        return Arrays.toString(pieces.get(token));
    }

    @Override
    public int tokenId(String text) {
        return -1;
    }

    @Override
    public SpecialTokens specialTokens() {
        return new SpecialTokens(-1, -1, -1, -1, -1, false, false, new int[0]);
    }
}
