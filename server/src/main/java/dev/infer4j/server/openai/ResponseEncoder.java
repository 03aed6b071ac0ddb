package dev.infer4j.server.openai;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.infer4j.server.backend.FinishReason;
import dev.infer4j.server.backend.ModelInfo;
import dev.infer4j.server.backend.ScoredToken;
import dev.infer4j.server.backend.SpeculationUsage;
import dev.infer4j.server.backend.TokenDelta;
import dev.infer4j.server.backend.Usage;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes OpenAI response bodies and stream chunk payloads as JSON. Stream methods write only the JSON of one
 * chunk; framing it as a server-sent event is the transport's job.
 */
public final class ResponseEncoder {

    /** OpenAI reports this instead of minus infinity. */
    private static final double FLOOR_LOGPROB = -9999.0;

    private final JsonFactory json;

    public ResponseEncoder(JsonFactory json) {
        this.json = json;
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private void write(OutputStream out, Body body) {
        try (JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"error": {...}}}. */
    public void error(OutputStream out, ApiException e) {
        write(out, g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", e.getMessage());
            g.writeStringField("type", e.type());
            g.writeStringField("param", e.param());
            g.writeStringField("code", e.code());
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** {@code GET /v1/models}. */
    public void modelList(OutputStream out, ModelInfo model, String name) {
        write(out, g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            modelObject(g, model, name);
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** {@code GET /v1/models/{id}}. */
    public void model(OutputStream out, ModelInfo model, String name) {
        write(out, g -> modelObject(g, model, name));
    }

    private static void modelObject(JsonGenerator g, ModelInfo model, String name) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", name);
        g.writeStringField("object", "model");
        g.writeNumberField("created", model.createdEpochSeconds());
        g.writeStringField("owned_by", model.ownedBy());
        g.writeNumberField("max_model_len", model.contextLength());
        g.writeEndObject();
    }

    // ---- streaming chunks ----

    /** First chunk of a chat choice: {@code delta: {"role": "assistant", "content": ""}}. */
    public void chatRoleChunk(OutputStream out, ResponseMeta meta, int index) {
        write(out, g -> {
            chunkStart(g, meta, index);
            g.writeObjectFieldStart("delta");
            g.writeStringField("role", "assistant");
            g.writeStringField("content", "");
            g.writeEndObject();
            g.writeNullField("logprobs");
            g.writeNullField("finish_reason");
            chunkEnd(g, meta);
        });
    }

    /**
     * A content chunk. For chat: {@code delta.content} and the tokens' {@code logprobs.content}; for completions:
     * {@code text} and the legacy {@code logprobs} arrays, offsets starting at the choice's current offset.
     *
     * @param logprobTokens tokens to report log-probabilities for, or null when none were requested
     */
    public void contentChunk(OutputStream out, ResponseMeta meta, ChoiceOutput choice, String text,
                             List<TokenDelta> logprobTokens) {
        write(out, g -> {
            chunkStart(g, meta, choice.index());
            if (meta.endpoint() == Endpoint.CHAT) {
                g.writeObjectFieldStart("delta");
                g.writeStringField("content", text);
                g.writeEndObject();
                chatLogprobs(g, logprobTokens);
            } else {
                g.writeStringField("text", text);
                completionLogprobs(g, choice, logprobTokens);
            }
            g.writeNullField("finish_reason");
            chunkEnd(g, meta);
        });
    }

    /** The chunk that ends a choice: empty delta (or text) and its {@code finish_reason}. */
    public void finishChunk(OutputStream out, ResponseMeta meta, int index, FinishReason reason) {
        write(out, g -> {
            chunkStart(g, meta, index);
            if (meta.endpoint() == Endpoint.CHAT) {
                g.writeObjectFieldStart("delta");
                g.writeEndObject();
            } else {
                g.writeStringField("text", "");
            }
            g.writeNullField("logprobs");
            g.writeStringField("finish_reason", reason.wireName());
            chunkEnd(g, meta);
        });
    }

    /** The usage chunk sent last with {@code stream_options.include_usage}: empty {@code choices}. */
    public void usageChunk(OutputStream out, ResponseMeta meta, Usage usage) {
        write(out, g -> {
            header(g, meta, meta.endpoint().chunkObjectName());
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, usage);
            g.writeEndObject();
        });
    }

    private static void chunkStart(JsonGenerator g, ResponseMeta meta, int index) throws IOException {
        header(g, meta, meta.endpoint().chunkObjectName());
        g.writeArrayFieldStart("choices");
        g.writeStartObject();
        g.writeNumberField("index", index);
    }

    private static void chunkEnd(JsonGenerator g, ResponseMeta meta) throws IOException {
        g.writeEndObject();
        g.writeEndArray();
        if (meta.includeUsage()) {
            g.writeNullField("usage");
        }
        g.writeEndObject();
    }

    private static void header(JsonGenerator g, ResponseMeta meta, String object) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", meta.id());
        g.writeStringField("object", object);
        g.writeNumberField("created", meta.created());
        g.writeStringField("model", meta.model());
        g.writeNullField("system_fingerprint");
    }

    // ---- whole responses ----

    /** A non-streaming response with every choice. */
    public void response(OutputStream out, ResponseMeta meta, List<ChoiceOutput> choices, boolean logprobs) {
        write(out, g -> {
            header(g, meta, meta.endpoint().objectName());
            g.writeArrayFieldStart("choices");
            for (ChoiceOutput c : choices) {
                g.writeStartObject();
                g.writeNumberField("index", c.index());
                if (meta.endpoint() == Endpoint.CHAT) {
                    g.writeObjectFieldStart("message");
                    g.writeStringField("role", "assistant");
                    g.writeStringField("content", c.text().toString());
                    g.writeNullField("refusal");
                    g.writeEndObject();
                    chatLogprobs(g, logprobs ? c.logprobTokens() : null);
                } else {
                    g.writeStringField("text", c.text().toString());
                    completionLogprobs(g, c, logprobs ? c.logprobTokens() : null);
                }
                g.writeStringField("finish_reason", c.finishReason().wireName());
                g.writeEndObject();
            }
            g.writeEndArray();
            usage(g, ChoiceOutput.totalUsage(choices));
            g.writeEndObject();
        });
    }

    private static void usage(JsonGenerator g, Usage usage) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", usage.promptTokens());
        g.writeNumberField("completion_tokens", usage.completionTokens());
        g.writeNumberField("total_tokens", usage.promptTokens() + usage.completionTokens());
        g.writeObjectFieldStart("prompt_tokens_details");
        g.writeNumberField("cached_tokens", usage.cachedPromptTokens());
        g.writeEndObject();
        if (usage.speculation() != null) {
            speculation(g, usage.speculation());
        }
        g.writeEndObject();
    }

    /**
     * infer4j's extension to {@code usage}, only when the request was decoded speculatively: clients that do not
     * know it ignore an unknown key, and plain responses stay exactly as OpenAI's.
     */
    private static void speculation(JsonGenerator g, SpeculationUsage s) throws IOException {
        g.writeObjectFieldStart("speculation");
        g.writeNumberField("drafted_tokens", s.draftedTokens());
        g.writeNumberField("accepted_tokens", s.acceptedTokens());
        g.writeNumberField("acceptance_rate", s.acceptanceRate());
        g.writeNumberField("tokens_per_step", s.tokensPerStep());
        g.writeEndObject();
    }

    // ---- log-probabilities ----

    private static void chatLogprobs(JsonGenerator g, List<TokenDelta> tokens) throws IOException {
        if (tokens == null) {
            g.writeNullField("logprobs");
            return;
        }
        g.writeObjectFieldStart("logprobs");
        g.writeArrayFieldStart("content");
        for (TokenDelta t : tokens) {
            g.writeStartObject();
            chatToken(g, t.token());
            g.writeArrayFieldStart("top_logprobs");
            for (ScoredToken alt : t.topLogprobs()) {
                g.writeStartObject();
                chatToken(g, alt);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeNullField("refusal");
        g.writeEndObject();
    }

    private static void chatToken(JsonGenerator g, ScoredToken token) throws IOException {
        g.writeStringField("token", token.text());
        double lp = token.logprob();
        g.writeNumberField("logprob", Double.isNaN(lp) || lp < FLOOR_LOGPROB ? FLOOR_LOGPROB : lp);
        g.writeArrayFieldStart("bytes");
        for (byte b : token.bytes()) {
            g.writeNumber(b & 0xFF);
        }
        g.writeEndArray();
    }

    /**
     * The legacy shape: parallel arrays {@code tokens}, {@code token_logprobs}, {@code top_logprobs} (objects of
     * token text to logprob) and {@code text_offset} (code points from the start of the choice's text, echoed
     * prompt included, as vLLM counts them). A position without a logprob (the first prompt token) gives nulls.
     */
    private static void completionLogprobs(JsonGenerator g, ChoiceOutput choice, List<TokenDelta> tokens)
            throws IOException {
        if (tokens == null) {
            g.writeNullField("logprobs");
            return;
        }
        g.writeObjectFieldStart("logprobs");
        g.writeArrayFieldStart("tokens");
        for (TokenDelta t : tokens) {
            g.writeString(t.token().text());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("token_logprobs");
        for (TokenDelta t : tokens) {
            double lp = t.token().logprob();
            if (Double.isNaN(lp)) {
                g.writeNull();
            } else {
                g.writeNumber(Math.max(lp, FLOOR_LOGPROB));
            }
        }
        g.writeEndArray();
        g.writeArrayFieldStart("top_logprobs");
        for (TokenDelta t : tokens) {
            if (Double.isNaN(t.token().logprob())) {
                g.writeNull();
                continue;
            }
            g.writeStartObject();
            for (ScoredToken alt : t.topLogprobs()) {
                g.writeNumberField(alt.text(), Math.max(alt.logprob(), FLOOR_LOGPROB));
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeArrayFieldStart("text_offset");
        int offset = choice.textOffset();
        for (TokenDelta t : tokens) {
            g.writeNumber(offset);
            offset += t.token().text().codePointCount(0, t.token().text().length());
        }
        choice.advanceTextOffset(offset - choice.textOffset());
        g.writeEndArray();
        g.writeEndObject();
    }
}
