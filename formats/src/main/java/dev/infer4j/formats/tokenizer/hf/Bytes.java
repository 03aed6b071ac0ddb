package dev.infer4j.formats.tokenizer.hf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Byte-string operations for per-token decoding, where a token's bytes may be an incomplete UTF-8 character. */
final class Bytes {
    private Bytes() {
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && java.util.Arrays.equals(bytes, 0, prefix.length, prefix, 0,
                prefix.length);
    }

    /** Replaces every non-overlapping occurrence of {@code from}, left to right. */
    static byte[] replace(byte[] bytes, byte[] from, byte[] to) {
        if (from.length == 0) {
            return bytes;
        }
        ByteArrayOutputStream out = null;
        int copied = 0;
        for (int i = 0; i + from.length <= bytes.length; ) {
            if (java.util.Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(bytes.length);
                }
                out.write(bytes, copied, i - copied);
                out.writeBytes(to);
                i += from.length;
                copied = i;
            } else {
                i++;
            }
        }
        if (out == null) {
            return bytes;
        }
        out.write(bytes, copied, bytes.length - copied);
        return out.toByteArray();
    }
}
