package dev.infer4j.server.engine;

import dev.infer4j.formats.tokenizer.SpecialTokens;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.runtime.chat.ChatRequestContext;
import dev.infer4j.runtime.chat.ChatTemplate;
import dev.infer4j.runtime.chat.ChatTemplateException;
import dev.infer4j.runtime.engine.Engine;
import dev.infer4j.runtime.engine.EngineStats;
import dev.infer4j.runtime.engine.GenerationHandle;
import dev.infer4j.runtime.engine.GenerationRequest;
import dev.infer4j.runtime.engine.Prompt;
import dev.infer4j.runtime.engine.RequestRejectedException;
import dev.infer4j.runtime.sampling.InvalidSamplingParameterException;
import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.BackendStats;
import dev.infer4j.server.backend.Cancellable;
import dev.infer4j.server.backend.CompletionBackend;
import dev.infer4j.server.backend.EventSink;
import dev.infer4j.server.backend.GenerationSpec;
import dev.infer4j.server.backend.ModelInfo;
import dev.infer4j.server.backend.SamplingParams;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Serves one runtime {@link Engine} through the server's backend port: maps each {@link GenerationSpec} to an
 * engine request, the engine's events to the port's, the engine's refusals to typed {@link BackendException}s, and
 * renders chats with the model's template.
 *
 * <p>{@code echo} with log-probabilities asks the engine to score the prompt ({@link
 * GenerationRequest#promptLogprobs()}), which arrives as one {@link dev.infer4j.server.backend.PromptTokens}
 * event before the first generated token; echo without log-probabilities is handled by the server itself.
 *
 * <p>Closing the backend closes the engine (and so the model file and kernels it owns).
 */
public final class EngineBackend implements CompletionBackend, AutoCloseable {

    private final Engine engine;
    private final Tokenizer tokenizer;
    private final ModelChatTemplate chatTemplate;
    private final ModelInfo model;
    private final TokenPieces pieces;
    private final String bosText;
    private final String eosText;

    /**
     * @param engine       the engine to serve; this backend owns it from now on
     * @param chatTemplate the template chats are rendered with
     * @param modelId      the id {@code /v1/models} reports
     * @param createdEpochSeconds the creation time {@code /v1/models} reports
     */
    public EngineBackend(Engine engine, ModelChatTemplate chatTemplate, String modelId, long createdEpochSeconds) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.chatTemplate = Objects.requireNonNull(chatTemplate, "chatTemplate");
        this.tokenizer = engine.tokenizer();
        this.pieces = new TokenPieces(tokenizer);
        this.model = new ModelInfo(modelId, engine.contextLength(), pieces.size(), createdEpochSeconds, "infer4j");
        SpecialTokens special = tokenizer.specialTokens();
        this.bosText = textOf(special.bos());
        this.eosText = textOf(special.eos());
    }

    private String textOf(int token) {
        return token >= 0 && token < pieces.size() ? tokenizer.tokenText(token) : "";
    }

    /** The engine behind this backend (for its statistics). */
    public Engine engine() {
        return engine;
    }

    /** Where the chat template came from. */
    public String chatTemplateOrigin() {
        return chatTemplate.origin();
    }

    @Override
    public ModelInfo model() {
        return model;
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        try {
            return tokenizer.encode(text, addSpecial, parseSpecial);
        } catch (IllegalArgumentException e) {
            throw new BackendException(BackendException.Kind.INVALID_REQUEST, "cannot tokenize: " + e.getMessage(), e);
        }
    }

    @Override
    public String detokenize(int[] tokenIds) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : tokenIds) {
            out.writeBytes(pieces.bytes(id));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public byte[] tokenBytes(int tokenId) {
        return pieces.bytes(tokenId).clone();
    }

    @Override
    public String renderChat(List<Map<String, Object>> messages, List<Map<String, Object>> tools,
                             boolean addGenerationPrompt, Map<String, Object> templateKwargs) {
        try {
            ChatRequestContext.Builder context = ChatRequestContext.builder()
                    .messages(messages)
                    .tools(tools.isEmpty() ? null : tools)
                    .addGenerationPrompt(addGenerationPrompt)
                    .bosToken(bosText)
                    .eosToken(eosText);
            templateKwargs.forEach(context::extra);
            return chatTemplate.template().render(context.build());
        } catch (ChatTemplateException e) {
            String message = e.kind() == ChatTemplateException.Kind.RAISED ? e.getMessage()
                    : "the chat template failed to render the messages: " + e.getMessage();
            throw new BackendException(BackendException.Kind.INVALID_REQUEST, "messages", message, e);
        } catch (IllegalArgumentException e) {
            // a chat_template_kwargs entry that tries to redefine a variable the template context sets itself
            throw new BackendException(BackendException.Kind.INVALID_REQUEST, "chat_template_kwargs", e.getMessage(), e);
        }
    }

    @Override
    public Cancellable submit(GenerationSpec spec, EventSink sink) {
        // echo with logprobs: the engine scores the prompt and sends it before the first generated token
        int promptLogprobs = spec.echo() ? Math.max(0, spec.logprobs()) : -1;
        GenerationRequest request = new GenerationRequest(new Prompt.Tokens(spec.promptTokens()), sampling(spec),
                false, promptLogprobs);
        try {
            GenerationHandle handle = engine.submit(request, new EventRelay(sink, pieces, engine.speculates()));
            return handle::cancel;
        } catch (RequestRejectedException e) {
            throw rejected(e);
        }
    }

    private static dev.infer4j.runtime.sampling.SamplingParams sampling(GenerationSpec spec) {
        SamplingParams s = spec.sampling();
        Map<Integer, Float> bias = new LinkedHashMap<>();
        s.logitBias().forEach((id, value) -> bias.put(id, value.floatValue()));
        try {
            return dev.infer4j.runtime.sampling.SamplingParams.builder()
                    .temperature((float) s.temperature())
                    .topP((float) s.topP())
                    .topK(s.topK())
                    .minP((float) s.minP())
                    .typicalP((float) s.typicalP())
                    .repeatPenalty((float) s.repetitionPenalty())
                    .presencePenalty((float) s.presencePenalty())
                    .frequencyPenalty((float) s.frequencyPenalty())
                    .logitBias(bias)
                    .seed(s.seed())
                    .minTokens(spec.minTokens())
                    .maxTokens(spec.maxTokens())
                    .ignoreEos(spec.ignoreEos())
                    .stop(spec.stopStrings())
                    .stopTokenIds(Arrays.stream(spec.stopTokenIds()).boxed().toList())
                    .logprobs(spec.logprobs())
                    .build();
        } catch (InvalidSamplingParameterException e) {
            throw new BackendException(BackendException.Kind.INVALID_REQUEST, wireName(e.parameter()),
                    e.getMessage(), e);
        }
    }

    private static BackendException rejected(RequestRejectedException e) {
        BackendException.Kind kind = switch (e.reason()) {
            case CONTEXT_LENGTH_EXCEEDED -> BackendException.Kind.CONTEXT_LENGTH_EXCEEDED;
            case INVALID_REQUEST -> BackendException.Kind.INVALID_REQUEST;
            case OVERLOADED, SHUT_DOWN -> BackendException.Kind.OVERLOADED;
        };
        return new BackendException(kind, wireName(e.param()), e.getMessage(), e);
    }

    /** The OpenAI request field for a runtime parameter name ({@code maxTokens} is {@code max_tokens}). */
    static String wireName(String runtimeName) {
        if (runtimeName == null) {
            return null;
        }
        return switch (runtimeName) {
            case "repeatPenalty" -> "repetition_penalty";
            default -> runtimeName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        };
    }

    @Override
    public BackendStats stats() {
        EngineStats s = engine.stats();
        double usage = s.kvBlocksTotal() == 0 ? 0 : (double) s.kvBlocksUsed() / s.kvBlocksTotal();
        return new BackendStats(s.waiting(), s.running(), usage, s.preemptions(), s.prefixHitRate(),
                s.speculation().acceptanceRate(), s.speculation().tokensPerStep());
    }

    /** Closes the engine: running generations fail with "shut down", then the model and kernels close. */
    @Override
    public void close() {
        engine.close();
    }
}
