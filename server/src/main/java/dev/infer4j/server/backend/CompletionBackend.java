package dev.infer4j.server.backend;

import java.util.List;
import java.util.Map;

/**
 * What the HTTP server needs from an inference engine that serves one model.
 *
 * <p><b>Threading.</b> {@link #tokenize}, {@link #detokenize}, {@link #tokenBytes}, {@link #renderChat},
 * {@link #submit}, {@link #model} and {@link #stats} may be called concurrently from any server thread and must be
 * thread-safe. The server never calls them on a Netty event loop except {@link #model} and {@link #stats}, which must
 * therefore be cheap and must not block; the others run on the server's request-preparation threads.
 *
 * <p><b>Generation hand-off.</b> {@link #submit} only enqueues: it returns at once with a {@link Cancellable}, and
 * the engine later reports the generation's {@link GenerationEvent}s to the {@link EventSink} from its own thread.
 * The server's sink never blocks and never throws: it puts the event into the request's bounded queue and wakes the
 * request's event loop. Cancellation is a flag the engine reads on its next step.
 */
public interface CompletionBackend {

    /** The model this backend serves; constant for the backend's lifetime. */
    ModelInfo model();

    /**
     * Splits text into token ids with the model's tokenizer.
     *
     * @param addSpecial   add BOS (and EOS where the vocabulary asks for it), as llama.cpp's {@code add_special}
     * @param parseSpecial recognise special tokens written in the text as single ids
     * @throws BackendException of kind {@link BackendException.Kind#INVALID_REQUEST} if the text cannot be tokenized
     */
    int[] tokenize(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * Decodes token ids to text (special tokens rendered as text, invalid UTF-8 replaced by U+FFFD).
     *
     * @throws BackendException of kind {@link BackendException.Kind#INVALID_REQUEST} for an id outside the vocabulary
     */
    String detokenize(int[] tokenIds);

    /**
     * The raw bytes one token contributes to the output (which may be part of a UTF-8 character).
     *
     * @throws BackendException of kind {@link BackendException.Kind#INVALID_REQUEST} for an id outside the vocabulary
     */
    byte[] tokenBytes(int tokenId);

    /**
     * Renders a chat with the model's chat template (Hugging Face {@code apply_chat_template} semantics). The
     * rendered text is tokenized by the server with {@code addSpecial = false, parseSpecial = true}, so the template
     * is expected to write BOS itself where the model wants one.
     *
     * @param messages            the request's {@code messages}, as plain JSON values (Map, List, String, Number,
     *                            Boolean, null); each has at least a string {@code role}
     * @param tools               the request's {@code tools}, or an empty list
     * @param addGenerationPrompt append the assistant turn header
     * @param templateKwargs      extra template variables (the request's {@code chat_template_kwargs}), maybe empty
     * @return the prompt text
     * @throws BackendException of kind {@link BackendException.Kind#INVALID_REQUEST} when the template rejects the
     *                          messages (for example a role order it forbids)
     */
    String renderChat(List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                      boolean addGenerationPrompt, Map<String, Object> templateKwargs);

    /**
     * Queues one generation. Never blocks on inference.
     *
     * <p>The engine then calls {@code sink} from its own thread, in this order: one {@link PromptTokens} if and only if
     * {@link GenerationSpec#echo()} is set; zero or more {@link TokenDelta}s, exactly one per generated token; and
     * exactly one terminal event, {@link Finished} or {@link Failed}. After {@link Cancellable#cancel()} the engine
     * stops at its next step and may omit the terminal event; events it still sends are ignored.
     *
     * @throws BackendException of kind {@link BackendException.Kind#OVERLOADED} when the engine's own queue is full
     */
    Cancellable submit(GenerationSpec spec, EventSink sink);

    /** A cheap, non-blocking snapshot of the engine's load, for {@code /metrics}. */
    BackendStats stats();
}
