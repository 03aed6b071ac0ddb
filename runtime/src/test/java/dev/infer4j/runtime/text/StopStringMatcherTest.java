package dev.infer4j.runtime.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StopStringMatcherTest {

    /** Pushes the pieces; returns each released text, then either the stop as "[stop]" or the final release. */
    private static List<String> run(List<String> stops, String... pieces) {
        StopStringMatcher m = new StopStringMatcher(stops);
        List<String> out = new ArrayList<>();
        for (String piece : pieces) {
            TextDelta d = m.push(piece);
            out.add(d.text());
            if (d.stopped()) {
                out.add("[" + d.stop() + "]");
                return out;
            }
        }
        out.add(m.finish());
        return out;
    }

    @Test
    void aStopSpanningThreePiecesIsHeldThenCut() {
        assertEquals(List.of("Hi ", "", "", "[END]"), run(List.of("END"), "Hi E", "N", "D"));
        assertEquals(List.of("Hi ", "", "", "[END]"), run(List.of("END"), "Hi E", "N", "D and more"));
    }

    @Test
    void aHeldPrefixIsReleasedAsSoonAsTheMatchFails() {
        assertEquals(List.of("Hi ", "", "ENX", ""), run(List.of("END"), "Hi E", "N", "X"));
        assertEquals(List.of("Hi ", "", "EN"), run(List.of("END"), "Hi E", "N"), "released at the end");
    }

    @Test
    void onlyTheLongestViablePrefixIsHeld() {
        // "aaa" could be "a" + the start "aa" of "aab": hold two, release one
        assertEquals(List.of("", "", "a", "", "[aab]"), run(List.of("aab"), "a", "a", "a", "b"));
        assertEquals(List.of("x", "", "[aab]"), run(List.of("aab"), "xaa", "b"));
    }

    @Test
    void theStopThatCompletesFirstWinsAndOnATieTheLongest() {
        // "ab" is complete before "abc" could be
        assertEquals(List.of("x", "[ab]"), run(List.of("abc", "ab"), "xab"));
        assertEquals(List.of("x", "[ab]"), run(List.of("abc", "ab"), "xabc"));
        // "b" ends at 2, "abc" at 3: "b" first
        assertEquals(List.of("a", "[b]"), run(List.of("abc", "b"), "abc"));
        // "bc" and "abc" end together: the one that starts first
        assertEquals(List.of("x", "[abc]"), run(List.of("bc", "abc"), "xabc"));
        // overlapping stops "abc" and "bcd": "abc" completes first
        assertEquals(List.of("", "", "", "[abc]"), run(List.of("bcd", "abc"), "a", "b", "cd"));
    }

    @Test
    void multiByteStopsAcrossTokenizedCharacters() {
        // the stop is "。" and "😀!" and the text arrives through a byte-level detokenizer
        FakeTokenizer vocab = new FakeTokenizer();
        int hi = vocab.text("你好");
        int stopHead = vocab.bytes(0xE3, 0x80);  // "。" is E3 80 82
        int stopTail = vocab.bytes(0x82);
        int f0 = vocab.rawByte(0xF0);
        int emojiTail = vocab.bytes(0x9F, 0x98, 0x80);
        int excl = vocab.text("!");
        int zh = vocab.text("中");

        TextStream s = new TextStream(vocab, false, false, List.of("。", "😀!"));
        assertEquals(TextDelta.of("你好"), s.push(hi));
        assertEquals(TextDelta.of(""), s.push(stopHead), "half of 。 is neither text nor stop yet");
        assertEquals(new TextDelta("", "。"), s.push(stopTail));
        assertTrue(s.stopped());
        assertThrows(IllegalStateException.class, () -> s.push(hi));
        assertEquals(TextDelta.of(""), s.finish());

        TextStream t = new TextStream(vocab, false, false, List.of("。", "😀!"));
        assertEquals(TextDelta.of("你好"), t.push(hi));
        assertEquals(TextDelta.of(""), t.push(f0));
        assertEquals(TextDelta.of(""), t.push(emojiTail), "😀 may start the stop 😀!");
        assertEquals(TextDelta.of("😀中"), t.push(zh), "released once the stop can no longer complete");
        assertEquals(TextDelta.of(""), t.push(f0));
        assertEquals(TextDelta.of(""), t.push(emojiTail));
        assertEquals(new TextDelta("", "😀!"), t.push(excl));

        TextStream u = new TextStream(vocab, false, false, List.of("😀!"));
        u.push(hi);
        u.push(f0);
        assertEquals(TextDelta.of("\uFFFD"), u.finish(), "an unfinished character flushes as U+FFFD");
    }

    @Test
    void withoutStopsTextPassesStraightThrough() {
        assertEquals(List.of("abc", "def", ""), run(List.of(), "abc", "def"));
        assertThrows(IllegalArgumentException.class, () -> new StopStringMatcher(List.of("")));
    }

    /**
     * Whatever the pieces, the released text is the text before the stop that completes first (earliest end,
     * then earliest start), and nothing past its start is ever released.
     */
    @Test
    void theResultDoesNotDependOnHowTheTextIsSplit() {
        SplittableRandom rnd = new SplittableRandom(23);
        String alphabet = "abc";
        for (int trial = 0; trial < 5000; trial++) {
            List<String> stops = new ArrayList<>();
            int nStops = 1 + rnd.nextInt(3);
            for (int i = 0; i < nStops; i++) {
                stops.add(randomString(rnd, alphabet, 1 + rnd.nextInt(4)));
            }
            String text = randomString(rnd, alphabet, rnd.nextInt(14));
            int[] expected = firstStop(text, stops);

            StopStringMatcher m = new StopStringMatcher(stops);
            StringBuilder released = new StringBuilder();
            String matched = null;
            int i = 0;
            while (i < text.length() && matched == null) {
                int n = Math.min(text.length() - i, 1 + rnd.nextInt(4));
                TextDelta d = m.push(text.substring(i, i + n));
                released.append(d.text());
                i += n;
                if (expected != null) {
                    assertTrue(released.length() <= expected[0], "trial " + trial + ": released \"" + released
                            + "\" past the start of the stop in \"" + text + "\" " + stops);
                }
                matched = d.stop();
            }
            if (matched == null) {
                released.append(m.finish());
            }
            String where = "trial " + trial + ": text \"" + text + "\" stops " + stops;
            if (expected == null) {
                assertEquals(null, matched, where);
                assertEquals(text, released.toString(), where);
            } else {
                assertEquals(stops.get(expected[1]), matched, where);
                assertEquals(text.substring(0, expected[0]), released.toString(), where);
            }
        }
    }

    private static String randomString(SplittableRandom rnd, String alphabet, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return b.toString();
    }

    /** {start, stop index} of the match with the earliest end, then earliest start; null if none. */
    private static int[] firstStop(String text, List<String> stops) {
        int[] best = null;
        int bestEnd = Integer.MAX_VALUE;
        for (int s = 0; s < stops.size(); s++) {
            int at = text.indexOf(stops.get(s));
            if (at < 0) {
                continue;
            }
            int end = at + stops.get(s).length();
            if (end < bestEnd || (end == bestEnd && at < best[0])) {
                best = new int[] {at, s};
                bestEnd = end;
            }
        }
        return best;
    }
}
