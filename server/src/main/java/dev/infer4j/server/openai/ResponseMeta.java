package dev.infer4j.server.openai;

/**
 * Fields every body or chunk of one response repeats.
 *
 * @param endpoint     chat or completion
 * @param id           response id, e.g. {@code chatcmpl-…}
 * @param created      Unix seconds, the same in every chunk
 * @param model        the model name as the client should see it
 * @param includeUsage whether stream chunks carry {@code "usage": null} and a final usage chunk follows
 */
public record ResponseMeta(Endpoint endpoint, String id, long created, String model, boolean includeUsage) {
}
