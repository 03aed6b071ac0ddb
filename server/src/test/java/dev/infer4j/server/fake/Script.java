package dev.infer4j.server.fake;

/**
 * What the fake engine does for one generation.
 *
 * @param reply        the text the "model" wants to write before its end of sequence
 * @param tokenDelay   milliseconds between tokens (0: as fast as the engine thread runs)
 * @param failAfter    after this many tokens, fail with an internal error; -1 never
 * @param firstDelay   milliseconds before the first token (prefill)
 */
public record Script(String reply, long tokenDelay, int failAfter, long firstDelay) {

    public static Script reply(String text) {
        return new Script(text, 0, -1, 0);
    }

    public Script withTokenDelay(long millis) {
        return new Script(reply, millis, failAfter, firstDelay);
    }

    public Script failingAfter(int tokens) {
        return new Script(reply, tokenDelay, tokens, firstDelay);
    }

    public Script withFirstDelay(long millis) {
        return new Script(reply, tokenDelay, failAfter, millis);
    }
}
