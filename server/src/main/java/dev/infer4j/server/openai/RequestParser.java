package dev.infer4j.server.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.infer4j.server.backend.ModelInfo;
import dev.infer4j.server.backend.SamplingParams;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Turns the JSON body of {@code /v1/chat/completions} or {@code /v1/completions} into a {@link GenerationRequest},
 * checking every field OpenAI documents plus the vLLM / llama.cpp extensions ({@code top_k}, {@code min_p},
 * {@code typical_p}, {@code repetition_penalty} or {@code repeat_penalty}, {@code min_tokens}, {@code ignore_eos},
 * {@code stop_token_ids}, {@code chat_template_kwargs}). Unknown fields are ignored.
 */
public final class RequestParser {

    /** Most alternatives per position, as OpenAI's {@code top_logprobs} limit. */
    public static final int MAX_LOGPROBS = 20;
    /** Most choices per request ({@code n} times the number of prompts). */
    public static final int MAX_N = 128;

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final ObjectMapper mapper;

    public RequestParser(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** Reads a JSON object body; anything else is a 400 with the parser's reason. */
    public ObjectNode readObject(InputStream body) {
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid_request_error",
                    "Request body is not valid JSON: " + e.getOriginalMessage(), null, "invalid_json");
        } catch (IOException e) {
            throw new ApiException(400, "invalid_request_error", "Request body could not be read: " + e.getMessage(),
                    null, "invalid_json");
        }
        if (root == null || root.isMissingNode()) {
            throw new ApiException(400, "invalid_request_error", "Request body is empty; expected a JSON object",
                    null, "invalid_json");
        }
        if (!(root instanceof ObjectNode object)) {
            throw new ApiException(400, "invalid_request_error", "Request body must be a JSON object", null,
                    "invalid_json");
        }
        return object;
    }

    /** Parses a chat completion request. */
    public GenerationRequest parseChat(ObjectNode body, ModelInfo model) {
        RequestFields f = new RequestFields(body);
        JsonNode messagesNode = f.node("messages");
        if (messagesNode == null) {
            throw ApiException.invalidField("messages", "'messages' is required");
        }
        if (!messagesNode.isArray() || messagesNode.isEmpty()) {
            throw ApiException.invalidField("messages", "'messages' must be a non-empty array");
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        for (int i = 0; i < messagesNode.size(); i++) {
            messages.add(message(messagesNode.get(i), "messages[" + i + "]"));
        }
        List<Map<String, Object>> tools = new ArrayList<>();
        JsonNode toolsNode = f.node("tools");
        if (toolsNode != null) {
            if (!toolsNode.isArray()) {
                throw ApiException.invalidField("tools", "'tools' must be an array");
            }
            for (int i = 0; i < toolsNode.size(); i++) {
                if (!toolsNode.get(i).isObject()) {
                    throw ApiException.invalidField("tools[" + i + "]", "each tool must be an object");
                }
                tools.add(mapper.convertValue(toolsNode.get(i), JSON_OBJECT));
            }
        }
        Map<String, Object> kwargs = Map.of();
        JsonNode kwargsNode = f.node("chat_template_kwargs");
        if (kwargsNode != null) {
            if (!kwargsNode.isObject()) {
                throw ApiException.invalidField("chat_template_kwargs", "'chat_template_kwargs' must be an object");
            }
            kwargs = new HashMap<>(mapper.convertValue(kwargsNode, JSON_OBJECT));
            kwargs.values().removeIf(java.util.Objects::isNull);
        }
        boolean addGenerationPrompt = f.bool("add_generation_prompt", true);

        boolean logprobsOn = f.bool("logprobs", false);
        int topLogprobs = (int) f.integer("top_logprobs", 0, 0, MAX_LOGPROBS);
        if (f.has("top_logprobs") && !logprobsOn) {
            throw ApiException.invalidField("top_logprobs", "'top_logprobs' requires 'logprobs' to be true");
        }
        OptionalInt maxTokens = f.has("max_completion_tokens")
                ? OptionalInt.of((int) f.integer("max_completion_tokens", 0, 1, Integer.MAX_VALUE))
                : optionalInt(f, "max_tokens", 1);
        List<PromptSource> prompts = List.of(new PromptSource.Chat(messages, tools, addGenerationPrompt, kwargs));
        return common(Endpoint.CHAT, f, model, prompts, maxTokens, logprobsOn ? topLogprobs : -1, false);
    }

    /** Parses a (legacy) completion request. */
    public GenerationRequest parseCompletion(ObjectNode body, ModelInfo model) {
        RequestFields f = new RequestFields(body);
        JsonNode promptNode = f.node("prompt");
        if (promptNode == null) {
            throw ApiException.invalidField("prompt", "'prompt' is required");
        }
        List<PromptSource> prompts = prompts(promptNode, model.vocabSize());
        boolean echo = f.bool("echo", false);
        OptionalInt maxTokens = optionalInt(f, "max_tokens", echo ? 0 : 1);
        int logprobs = (int) f.integer("logprobs", -1, 0, MAX_LOGPROBS);
        if (f.has("suffix")) {
            throw ApiException.invalidField("suffix", "'suffix' is not supported");
        }
        if (f.has("best_of") && f.integer("best_of", 1, 1, MAX_N) != f.integer("n", 1, 1, MAX_N)) {
            throw ApiException.invalidField("best_of", "'best_of' other than 'n' is not supported");
        }
        return common(Endpoint.COMPLETION, f, model, prompts, maxTokens, logprobs, echo);
    }

    private GenerationRequest common(Endpoint endpoint, RequestFields f, ModelInfo model, List<PromptSource> prompts,
                                     OptionalInt maxTokens, int logprobs, boolean echo) {
        String modelName = f.string("model", null);
        int n = (int) f.integer("n", 1, 1, MAX_N);
        if ((long) n * prompts.size() > MAX_N) {
            throw ApiException.invalidField("n", "'n' times the number of prompts (" + (long) n * prompts.size()
                    + ") exceeds " + MAX_N);
        }
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonNode streamOptions = f.node("stream_options");
        if (streamOptions != null) {
            if (!streamOptions.isObject()) {
                throw ApiException.invalidField("stream_options", "'stream_options' must be an object");
            }
            JsonNode include = streamOptions.get("include_usage");
            if (include != null && !include.isNull()) {
                if (!include.isBoolean()) {
                    throw ApiException.invalidField("stream_options.include_usage", "'include_usage' must be a boolean");
                }
                includeUsage = include.booleanValue();
            }
        }
        double temperature = f.number("temperature", 1.0, 0.0, 2.0);
        double topP = f.numberAbove("top_p", 1.0, 0.0, 1.0);
        long topK = f.integer("top_k", 0, -1, Integer.MAX_VALUE);
        double minP = f.number("min_p", 0.0, 0.0, 1.0);
        double typicalP = f.numberAbove("typical_p", 1.0, 0.0, 1.0);
        String repetitionField = f.has("repetition_penalty") ? "repetition_penalty" : "repeat_penalty";
        double repetitionPenalty = f.numberAbove(repetitionField, 1.0, 0.0, Double.MAX_VALUE);
        double presencePenalty = f.number("presence_penalty", 0.0, -2.0, 2.0);
        double frequencyPenalty = f.number("frequency_penalty", 0.0, -2.0, 2.0);
        Map<Integer, Double> logitBias = logitBias(f, model.vocabSize());
        OptionalLong seed = f.has("seed") ? OptionalLong.of(f.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE))
                : OptionalLong.empty();
        List<String> stop = stop(f);
        int[] stopTokenIds = tokenIds(f.node("stop_token_ids"), "stop_token_ids", model.vocabSize(), true);
        int minTokens = (int) f.integer("min_tokens", 0, 0, Integer.MAX_VALUE);
        if (maxTokens.isPresent() && minTokens > maxTokens.getAsInt()) {
            throw ApiException.invalidField("min_tokens", "'min_tokens' (" + minTokens
                    + ") must not exceed 'max_tokens' (" + maxTokens.getAsInt() + ")");
        }
        boolean ignoreEos = f.bool("ignore_eos", false);
        String user = f.string("user", null);
        SamplingParams sampling = new SamplingParams(temperature, topP, (int) Math.max(0, topK), minP, typicalP,
                repetitionPenalty, presencePenalty, frequencyPenalty, logitBias, seed);
        return new GenerationRequest(endpoint, modelName, prompts, n, stream, includeUsage, maxTokens, minTokens,
                sampling, stop, stopTokenIds, ignoreEos, logprobs, echo, user);
    }

    private static OptionalInt optionalInt(RequestFields f, String name, int min) {
        return f.has(name) ? OptionalInt.of((int) f.integer(name, 0, min, Integer.MAX_VALUE)) : OptionalInt.empty();
    }

    private Map<String, Object> message(JsonNode node, String param) {
        if (!node.isObject()) {
            throw ApiException.invalidField(param, "each message must be an object");
        }
        JsonNode role = node.get("role");
        if (role == null || !role.isTextual()) {
            throw ApiException.invalidField(param + ".role", "each message needs a string 'role'");
        }
        JsonNode content = node.get("content");
        if (content != null && !content.isNull() && !content.isTextual() && !content.isArray()) {
            throw ApiException.invalidField(param + ".content", "'content' must be a string, an array of parts or null");
        }
        if (content != null && content.isArray()) {
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                JsonNode type = part.get("type");
                if (!part.isObject() || type == null || !type.isTextual()) {
                    throw ApiException.invalidField(param + ".content[" + i + "]",
                            "each content part must be an object with a string 'type'");
                }
                if (!type.textValue().equals("text")) {
                    throw ApiException.invalidField(param + ".content[" + i + "].type",
                            "content part type '" + type.textValue() + "' is not supported; only 'text' is");
                }
            }
        }
        return mapper.convertValue(node, JSON_OBJECT);
    }

    private static List<PromptSource> prompts(JsonNode node, int vocabSize) {
        if (node.isTextual()) {
            return List.of(new PromptSource.Text(node.textValue()));
        }
        if (!node.isArray() || node.isEmpty()) {
            throw ApiException.invalidField("prompt",
                    "'prompt' must be a string, an array of strings, an array of token ids or an array of those");
        }
        JsonNode first = node.get(0);
        List<PromptSource> prompts = new ArrayList<>();
        if (first.isNumber()) {
            prompts.add(new PromptSource.Tokens(tokenIds(node, "prompt", vocabSize, false)));
            return prompts;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String param = "prompt[" + i + "]";
            if (item.isTextual()) {
                prompts.add(new PromptSource.Text(item.textValue()));
            } else if (item.isArray()) {
                if (item.isEmpty()) {
                    throw ApiException.invalidField(param, "a token-id prompt must not be empty");
                }
                prompts.add(new PromptSource.Tokens(tokenIds(item, param, vocabSize, false)));
            } else {
                throw ApiException.invalidField(param, "each prompt must be a string or an array of token ids");
            }
        }
        return prompts;
    }

    private static int[] tokenIds(JsonNode node, String param, int vocabSize, boolean optional) {
        if (node == null && optional) {
            return new int[0];
        }
        if (node == null || !node.isArray()) {
            throw ApiException.invalidField(param, "'" + param + "' must be an array of token ids");
        }
        int[] ids = new int[node.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) RequestFields.integerValue(param + "[" + i + "]", node.get(i), 0, vocabSize - 1L);
        }
        return ids;
    }

    private static Map<Integer, Double> logitBias(RequestFields f, int vocabSize) {
        JsonNode node = f.node("logit_bias");
        if (node == null) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.invalidField("logit_bias", "'logit_bias' must be an object of token id to bias");
        }
        Map<Integer, Double> bias = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            int id;
            try {
                id = Integer.parseInt(e.getKey().trim());
            } catch (NumberFormatException ex) {
                throw ApiException.invalidField("logit_bias", "logit_bias key '" + e.getKey() + "' is not a token id");
            }
            if (id < 0 || id >= vocabSize) {
                throw ApiException.invalidField("logit_bias",
                        "logit_bias token id " + id + " is outside the vocabulary (0.." + (vocabSize - 1) + ")");
            }
            JsonNode value = e.getValue();
            if (!value.isNumber() || !(value.doubleValue() >= -100 && value.doubleValue() <= 100)) {
                throw ApiException.invalidField("logit_bias",
                        "logit_bias value for token " + id + " must be a number between -100 and 100");
            }
            bias.put(id, value.doubleValue());
        }
        return bias;
    }

    private static List<String> stop(RequestFields f) {
        JsonNode node = f.node("stop");
        if (node == null) {
            return List.of();
        }
        List<String> stop = new ArrayList<>();
        if (node.isTextual()) {
            stop.add(node.textValue());
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).isTextual()) {
                    throw ApiException.invalidField("stop", "'stop' must be a string or an array of strings");
                }
                stop.add(node.get(i).textValue());
            }
        } else {
            throw ApiException.invalidField("stop", "'stop' must be a string or an array of strings");
        }
        if (stop.stream().anyMatch(String::isEmpty)) {
            throw ApiException.invalidField("stop", "stop strings must not be empty");
        }
        return stop;
    }
}
