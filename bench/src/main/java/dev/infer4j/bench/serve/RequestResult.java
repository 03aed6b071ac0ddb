package dev.infer4j.bench.serve;

/**
 * The timing of one streamed request, in nanoseconds from when it was sent.
 *
 * @param ok               whether the request completed with a 200 and a well-formed stream
 * @param error            what went wrong, when not ok
 * @param promptTokens     prompt tokens reported by the server's usage, or -1 if it sent none
 * @param outputTokens     completion tokens (from usage, else the number of content chunks)
 * @param ttftNanos        time to the first content chunk
 * @param endToEndNanos    time to the end of the stream
 * @param interTokenNanos  gaps between consecutive content chunks
 * @param cachedTokens     prompt tokens the server reported as served from its prefix cache, or -1
 */
public record RequestResult(boolean ok, String error, int promptTokens, int outputTokens, long ttftNanos,
                            long endToEndNanos, long[] interTokenNanos, int cachedTokens) {

    /** A failed request. */
    public static RequestResult failed(String error, long endToEndNanos) {
        return new RequestResult(false, error, -1, 0, 0, endToEndNanos, new long[0], -1);
    }

    /** Time per output token after the first, or 0 for a single-token output. */
    public long tpotNanos() {
        return outputTokens > 1 ? (endToEndNanos - ttftNanos) / (outputTokens - 1) : 0;
    }
}
