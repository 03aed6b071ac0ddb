package dev.infer4j.runtime.text;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8StreamDecoderTest {

    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h.replace(" ", ""));
    }

    /** Decodes {@code bytes} split at every position in {@code cuts}; returns the deltas and the flush. */
    private static List<String> decodeSplit(byte[] bytes, int... cuts) {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            out.add(d.decode(bytes, from, cut - from));
            from = cut;
        }
        out.add(d.decode(bytes, from, bytes.length - from));
        out.add(d.flush());
        return out;
    }

    @Test
    void anEmojiSplitOverFourPiecesComesOutWholeWithTheLastByte() {
        byte[] grin = "\uD83D\uDE00".getBytes(StandardCharsets.UTF_8); // U+1F600, F0 9F 98 80
        assertEquals(List.of("", "", "", "\uD83D\uDE00", ""), decodeSplit(grin, 1, 2, 3));
    }

    @Test
    void everySplitOfMixedScriptTextGivesWholeCharactersOnly() {
        String text = "a中文😀é ✓\uD834\uDD1E"; // ASCII, CJK (3 bytes), emoji (4), Latin-1 (2), U+1D11E (4)
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        // all 2^(n-1) ways of cutting the bytes would be too many; take every single and double cut
        for (int i = 1; i < bytes.length; i++) {
            for (int j = i; j < bytes.length; j++) {
                List<String> deltas = decodeSplit(bytes, i, j);
                assertEquals(text, String.join("", deltas), "cuts " + i + ", " + j);
                for (String d : deltas) {
                    assertWholeCharacters(d, "cuts " + i + ", " + j);
                    assertFalse(d.contains("\uFFFD"), "valid text produced U+FFFD at cuts " + i + ", " + j);
                }
            }
        }
        // and byte by byte
        int[] all = new int[bytes.length - 1];
        for (int i = 0; i < all.length; i++) {
            all[i] = i + 1;
        }
        assertEquals(text, String.join("", decodeSplit(bytes, all)), "byte by byte");
    }

    @Test
    void cjkByteByByteReleasesEachCharacterOnItsThirdByte() {
        byte[] zhong = hex("E4 B8 AD E6 96 87"); // 中文
        assertEquals(List.of("", "", "中", "", "", "文", ""), decodeSplit(zhong, 1, 2, 3, 4, 5));
    }

    @Test
    void anIncompleteSequenceBecomesReplacementOnlyWhenItCanNoLongerComplete() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        assertEquals("", d.decode(hex("F0")), "F0 may still complete");
        assertEquals("", d.decode(hex("9F")), "F0 9F may still complete");
        assertTrue(d.hasPending());
        assertEquals("\uFFFDA", d.decode(hex("41")), "F0 9F followed by 'A' can never complete");
        assertFalse(d.hasPending());

        assertEquals("\uFFFD", d.decode(hex("80")), "a lone continuation byte is invalid at once");
        assertEquals("\uFFFD\uFFFD", d.decode(hex("E0 80")), "E0 80 is an overlong prefix: invalid at once");
        // an encoded surrogate is one U+FFFD in Java's decoder, so its bytes are gathered first
        assertEquals("", d.decode(hex("ED A0")), "ED A0 starts an encoded surrogate");
        assertEquals("\uFFFD", d.decode(hex("80")), "ED A0 80 is one encoded surrogate");
        assertEquals("\uFFFD\uFFFD", d.decode(hex("F4 90")), "F4 90 is above U+10FFFF: invalid at once");
        assertEquals("\uFFFD", d.decode(hex("C0")), "C0 never starts a valid sequence");
        assertEquals("\uFFFD", d.decode(hex("FF")), "FF never appears in UTF-8");
        assertEquals("", d.decode(hex("E2 82")), "E2 82 may still be a euro sign");
        assertEquals("\uFFFD", d.flush(), "the stream ended inside a character");
        assertEquals("", d.flush(), "nothing left after a flush");
    }

    @Test
    void randomBytesInRandomPiecesDecodeExactlyAsAllAtOnce() {
        SplittableRandom rnd = new SplittableRandom(17);
        String[] samples = {"a", "é", "中", "😀", "\uD834\uDD1E", " ", "\uFFFF"};
        byte[][] oddities = {hex("ED A0 80"), hex("ED BF BF"), hex("E0 80 80"), hex("F4 90 80 80"), hex("C0 AF")};
        for (int trial = 0; trial < 3000; trial++) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            int parts = 1 + rnd.nextInt(12);
            for (int p = 0; p < parts; p++) {
                int kind = rnd.nextInt(8);
                if (kind == 0) {
                    buf.write(rnd.nextInt(256)); // any byte: lead, continuation or invalid
                } else if (kind == 1) {
                    byte[] odd = oddities[rnd.nextInt(oddities.length)]; // surrogates, overlongs, > U+10FFFF
                    buf.write(odd, 0, 1 + rnd.nextInt(odd.length));
                } else {
                    byte[] ch = samples[rnd.nextInt(samples.length)].getBytes(StandardCharsets.UTF_8);
                    int keep = rnd.nextInt(5) == 0 ? rnd.nextInt(ch.length) + 1 : ch.length; // truncated chars too
                    buf.write(ch, 0, keep);
                }
            }
            byte[] bytes = buf.toByteArray();
            String expected = new String(bytes, StandardCharsets.UTF_8);
            Utf8StreamDecoder d = new Utf8StreamDecoder();
            StringBuilder got = new StringBuilder();
            int i = 0;
            while (i < bytes.length) {
                int n = Math.min(bytes.length - i, 1 + rnd.nextInt(4));
                String delta = d.decode(bytes, i, n);
                assertWholeCharacters(delta, "trial " + trial);
                got.append(delta);
                i += n;
            }
            got.append(d.flush());
            assertEquals(expected, got.toString(), "trial " + trial + " bytes " + HexFormat.of().formatHex(bytes));
        }
    }

    /** No delta may end in a high surrogate or start with a low one: a character would be split. */
    private static void assertWholeCharacters(String delta, String where) {
        if (!delta.isEmpty()) {
            assertFalse(Character.isHighSurrogate(delta.charAt(delta.length() - 1)), where + ": ends mid-pair");
            assertFalse(Character.isLowSurrogate(delta.charAt(0)), where + ": starts mid-pair");
        }
    }
}
