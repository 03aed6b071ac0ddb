package dev.infer4j.runtime.chat;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything a chat template sees: the variables Hugging Face's {@code apply_chat_template} passes.
 *
 * <p>Messages and tools are JSON-like: Jackson {@link JsonNode}s or plain {@code Map}/{@code List}/{@code String}/
 * number/{@code Boolean}/{@code null} values, exactly as they appear in an OpenAI request (a message has {@code role},
 * {@code content} as a string or a list of parts, and optionally {@code tool_calls}, {@code tool_call_id},
 * {@code name}, {@code reasoning_content}, ...). Key order is kept, as templates may print it.
 *
 * @param messages            the conversation, in order
 * @param tools               tool schemas, or null for none (the template then sees {@code tools} as {@code None})
 * @param addGenerationPrompt whether to open an assistant turn at the end
 * @param bosToken            the model's beginning-of-sequence text, e.g. {@code <s>}
 * @param eosToken            the model's end-of-sequence text, e.g. {@code </s>}
 * @param extra               further template variables ({@code enable_thinking}, {@code documents}, ...)
 * @param clock               the time {@code strftime_now} formats, in the clock's zone
 */
public record ChatRequestContext(List<Object> messages, List<Object> tools, boolean addGenerationPrompt,
                                 String bosToken, String eosToken, Map<String, Object> extra, Clock clock) {
    /** Variables the context sets itself; {@code extra} may not redefine them. */
    static final Set<String> RESERVED = Set.of("messages", "tools", "add_generation_prompt", "bos_token",
        "eos_token", "raise_exception", "strftime_now");

    public ChatRequestContext {
        if (messages == null) {
            throw new IllegalArgumentException("messages must not be null");
        }
        messages = Collections.unmodifiableList(new ArrayList<>(messages));
        tools = tools == null ? null : Collections.unmodifiableList(new ArrayList<>(tools));
        bosToken = bosToken == null ? "" : bosToken;
        eosToken = eosToken == null ? "" : eosToken;
        extra = extra == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
        for (String key : extra.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("'" + key + "' is set by the chat context itself, not by extra");
            }
        }
        clock = clock == null ? Clock.systemDefaultZone() : clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ChatRequestContext}; by default no tools, a generation prompt, empty special tokens. */
    public static final class Builder {
        private final List<Object> messages = new ArrayList<>();
        private List<Object> tools;
        private boolean addGenerationPrompt = true;
        private String bosToken = "";
        private String eosToken = "";
        private final Map<String, Object> extra = new LinkedHashMap<>();
        private Clock clock;

        private Builder() {
        }

        /** Appends a message given as a JSON object, a {@code Map}, or any JSON-like value. */
        public Builder message(Object message) {
            messages.add(message);
            return this;
        }

        /** Appends a plain text message. */
        public Builder message(String role, String content) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("role", role);
            m.put("content", content);
            messages.add(m);
            return this;
        }

        /** Appends every message of a list or of a JSON array. */
        public Builder messages(Iterable<?> all) {
            for (Object m : all) {
                messages.add(m);
            }
            return this;
        }

        /** The tool list (a list or a JSON array); null for none. */
        public Builder tools(Iterable<?> all) {
            if (all == null) {
                tools = null;
            } else {
                tools = new ArrayList<>();
                for (Object t : all) {
                    tools.add(t);
                }
            }
            return this;
        }

        public Builder addGenerationPrompt(boolean value) {
            addGenerationPrompt = value;
            return this;
        }

        public Builder bosToken(String value) {
            bosToken = value;
            return this;
        }

        public Builder eosToken(String value) {
            eosToken = value;
            return this;
        }

        /** An extra template variable, such as {@code enable_thinking}; the value is JSON-like. */
        public Builder extra(String name, Object value) {
            extra.put(name, value);
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public ChatRequestContext build() {
            return new ChatRequestContext(messages, tools, addGenerationPrompt, bosToken, eosToken, extra, clock);
        }
    }
}
