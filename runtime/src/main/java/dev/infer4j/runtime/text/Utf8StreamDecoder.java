package dev.infer4j.runtime.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Decodes UTF-8 that arrives in arbitrary pieces, returning only whole characters. Trailing bytes that begin a
 * character which may still complete are held back until the next piece; anything that can no longer become
 * valid is decoded at once, ill-formed parts becoming U+FFFD exactly as decoding all the bytes in one go with
 * {@code new String(bytes, UTF_8)} would. The concatenation of every result and {@link #flush()} therefore
 * equals that one-go decode, however the bytes were split.
 */
public final class Utf8StreamDecoder {

    private byte[] pending = new byte[8];
    private int length;

    /** Decodes a piece; see {@link #decode(byte[], int, int)}. */
    public String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * Appends {@code bytes[offset, offset + count)} and returns the text that is now complete, possibly empty.
     */
    public String decode(byte[] bytes, int offset, int count) {
        if (length + count > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, length + count));
        }
        System.arraycopy(bytes, offset, pending, length, count);
        length += count;
        int complete = completeLength(pending, length);
        if (complete == 0) {
            return "";
        }
        String text = new String(pending, 0, complete, StandardCharsets.UTF_8);
        System.arraycopy(pending, complete, pending, 0, length - complete);
        length -= complete;
        return text;
    }

    /** Ends the stream: held-back bytes (a character that never completed) become U+FFFD. */
    public String flush() {
        String text = new String(pending, 0, length, StandardCharsets.UTF_8);
        length = 0;
        return text;
    }

    /** Whether bytes of an unfinished character are held back. */
    public boolean hasPending() {
        return length > 0;
    }

    /**
     * The length of the prefix that can be decoded now: everything except a trailing lead byte and the
     * continuation bytes after it, when together they are a proper prefix of a well-formed sequence.
     */
    static int completeLength(byte[] buf, int n) {
        for (int back = 1; back <= 3 && back <= n; back++) {
            int b = buf[n - back] & 0xff;
            if (b >= 0x80 && b <= 0xbf) {
                continue;
            }
            int needed = sequenceLength(b);
            if (needed > back && (back == 1 || secondByteFits(b, buf[n - back + 1] & 0xff))) {
                return n - back;
            }
            return n;
        }
        return n;
    }

    /** The length of the well-formed sequence a lead byte starts, or 0 if it starts none. */
    private static int sequenceLength(int lead) {
        if (lead >= 0xc2 && lead <= 0xdf) {
            return 2;
        }
        if (lead >= 0xe0 && lead <= 0xef) {
            return 3;
        }
        if (lead >= 0xf0 && lead <= 0xf4) {
            return 4;
        }
        return 0;
    }

    /**
     * The second-byte ranges of Unicode's table of well-formed UTF-8 (no overlong forms, nothing above
     * U+10FFFF), except that {@code ED A0..BF} (an encoded surrogate) is let through: Java's decoder replaces a
     * whole encoded surrogate with one U+FFFD, so its bytes must reach the decoder together to give the same
     * result as decoding everything at once.
     */
    private static boolean secondByteFits(int lead, int second) {
        return switch (lead) {
            case 0xe0 -> second >= 0xa0 && second <= 0xbf;
            case 0xf0 -> second >= 0x90 && second <= 0xbf;
            case 0xf4 -> second >= 0x80 && second <= 0x8f;
            default -> second >= 0x80 && second <= 0xbf;
        };
    }
}
