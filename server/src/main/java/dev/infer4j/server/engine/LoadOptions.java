package dev.infer4j.server.engine;

import dev.infer4j.runtime.spec.Speculation;

/**
 * How to open a model for serving.
 *
 * @param modelId       the id clients see in {@code /v1/models}; null for the file name without {@code .gguf}
 * @param contextLength most positions one sequence may use; 0 for the model's own, capped at
 *                      {@link #DEFAULT_MAX_CONTEXT} (a long-context model would otherwise reserve a huge KV cache)
 * @param parallel      sequences decoded together; the KV cache holds {@code contextLength * parallel} positions
 * @param maxWaiting    engine requests queued beyond the running ones before the engine refuses more
 * @param threads       compute threads, 0 for one per core
 * @param chatTemplate  a built-in format name or a Jinja file, or null for the model's own template
 * @param warmUp        run {@link dev.infer4j.runtime.model.ModelWarmUp} before serving, so the first request does
 *                      not pay for the JIT
 * @param speculation   how to decode speculatively (a draft model file, n-gram lookup), or null not to
 */
public record LoadOptions(String modelId, int contextLength, int parallel, int maxWaiting, int threads,
                          String chatTemplate, boolean warmUp, Speculation speculation) {

    /** The context used when neither the user nor a shorter model limit says otherwise (llama.cpp's default). */
    public static final int DEFAULT_MAX_CONTEXT = 4096;

    public LoadOptions {
        if (contextLength < 0 || parallel < 1 || maxWaiting < 0 || threads < 0) {
            throw new IllegalArgumentException("context length >= 0, parallel >= 1, max waiting >= 0 and threads >= 0 "
                    + "required; got " + contextLength + ", " + parallel + ", " + maxWaiting + ", " + threads);
        }
    }

    /** Options without speculative decoding. */
    public LoadOptions(String modelId, int contextLength, int parallel, int maxWaiting, int threads,
                       String chatTemplate, boolean warmUp) {
        this(modelId, contextLength, parallel, maxWaiting, threads, chatTemplate, warmUp, null);
    }

    /** Options without the warm-up or speculative decoding (tests and embedders that start many engines). */
    public LoadOptions(String modelId, int contextLength, int parallel, int maxWaiting, int threads,
                       String chatTemplate) {
        this(modelId, contextLength, parallel, maxWaiting, threads, chatTemplate, false, null);
    }

    /** The model's context (capped), 4 parallel sequences, 64 waiting, all cores, the model's template. */
    public static LoadOptions defaults() {
        return new LoadOptions(null, 0, 4, 64, 0, null);
    }

    // Every with* keeps all other components: a dropped speculation would silently serve without it.

    /** These options with another context length (0: the model's, capped). */
    public LoadOptions withContextLength(int n) {
        return new LoadOptions(modelId, n, parallel, maxWaiting, threads, chatTemplate, warmUp, speculation);
    }

    /** These options with another number of parallel sequences. */
    public LoadOptions withParallel(int n) {
        return new LoadOptions(modelId, contextLength, n, maxWaiting, threads, chatTemplate, warmUp, speculation);
    }

    /** These options with another engine queue bound. */
    public LoadOptions withMaxWaiting(int n) {
        return new LoadOptions(modelId, contextLength, parallel, n, threads, chatTemplate, warmUp, speculation);
    }

    /** These options with another thread count. */
    public LoadOptions withThreads(int n) {
        return new LoadOptions(modelId, contextLength, parallel, maxWaiting, n, chatTemplate, warmUp, speculation);
    }

    /** These options with another chat template choice (null: the model's own). */
    public LoadOptions withChatTemplate(String choice) {
        return new LoadOptions(modelId, contextLength, parallel, maxWaiting, threads, choice, warmUp, speculation);
    }

    /** These options with another model id (null: from the file name). */
    public LoadOptions withModelId(String id) {
        return new LoadOptions(id, contextLength, parallel, maxWaiting, threads, chatTemplate, warmUp, speculation);
    }

    /** These options with another way to decode speculatively (null: none). */
    public LoadOptions withSpeculation(Speculation s) {
        return new LoadOptions(modelId, contextLength, parallel, maxWaiting, threads, chatTemplate, warmUp, s);
    }
}
