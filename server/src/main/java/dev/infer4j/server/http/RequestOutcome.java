package dev.infer4j.server.http;

/**
 * How a request ended, for the request log and metrics.
 *
 * @param status           the HTTP status sent (499 when the client went away first)
 * @param promptTokens     prompt tokens, 0 if none were processed
 * @param completionTokens tokens generated
 * @param error            error message, or null
 */
record RequestOutcome(int status, int promptTokens, int completionTokens, String error) {

    static RequestOutcome ok(int status) {
        return new RequestOutcome(status, 0, 0, null);
    }

    static RequestOutcome failed(int status, String error) {
        return new RequestOutcome(status, 0, 0, error);
    }
}
