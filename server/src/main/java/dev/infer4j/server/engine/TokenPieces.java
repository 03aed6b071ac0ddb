package dev.infer4j.server.engine;

import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.ScoredToken;
import dev.infer4j.runtime.sampling.TokenLogprob;

import java.nio.charset.StandardCharsets;

/**
 * Every token's bytes and text, decoded once at load time so that reporting a token (with its log-probability
 * alternatives) on the engine thread costs no tokenizer work. Control tokens are rendered as their text, as clients
 * expect in log-probability listings.
 */
final class TokenPieces {

    private final byte[][] bytes;
    private final String[] texts;

    TokenPieces(Tokenizer tokenizer) {
        int n = tokenizer.vocabSize();
        bytes = new byte[n][];
        texts = new String[n];
        for (int id = 0; id < n; id++) {
            bytes[id] = tokenizer.tokenBytes(id, true);
            // invalid or partial UTF-8 becomes U+FFFD, as the port's ScoredToken asks
            texts[id] = new String(bytes[id], StandardCharsets.UTF_8);
        }
    }

    int size() {
        return bytes.length;
    }

    /** The token's raw bytes, shared: callers must not modify them. */
    byte[] bytes(int id) {
        check(id);
        return bytes[id];
    }

    /** The token scored with a natural-log probability (NaN for none). */
    ScoredToken scored(int id, double logprob) {
        check(id);
        return new ScoredToken(id, texts[id], bytes[id], logprob);
    }

    /** An engine log-probability as the port's value; null means none was computed. */
    ScoredToken scored(int id, TokenLogprob logprob) {
        return scored(id, logprob == null ? Double.NaN : logprob.logprob());
    }

    private void check(int id) {
        if (id < 0 || id >= bytes.length) {
            throw new BackendException(BackendException.Kind.INVALID_REQUEST, "token id " + id
                    + " is outside the vocabulary of " + bytes.length + " tokens");
        }
    }
}
