package dev.infer4j.runtime.chat;

import java.util.Locale;

/**
 * Standard prompt formats for models whose files carry no chat template, written as Jinja sources.
 *
 * <p>Each follows its family's reference template on Hugging Face. Message content may be a string or an
 * OpenAI list of parts, whose {@code text} parts are joined; an {@code add_generation_prompt} opens the
 * assistant turn.
 */
public enum BuiltinChatTemplate {
    /** ChatML ({@code <|im_start|>role\n...<|im_end|>}), as used by Qwen, Hermes, OpenHermes, Yi. */
    CHATML("""
        {%- for message in messages -%}
        {{- '<|im_start|>' + message['role'] + '\\n' + text_of(message['content']) + '<|im_end|>\\n' -}}
        {%- endfor -%}
        {%- if add_generation_prompt -%}
        {{- '<|im_start|>assistant\\n' -}}
        {%- endif -%}
        """),

    /** Llama 2 chat: {@code <s>[INST] <<SYS>>...<</SYS>> user [/INST] answer </s>}, turns strictly alternating. */
    LLAMA2("""
        {%- if messages and messages[0]['role'] == 'system' -%}
            {%- set system_message = text_of(messages[0]['content']) -%}
            {%- set loop_messages = messages[1:] -%}
        {%- else -%}
            {%- set system_message = none -%}
            {%- set loop_messages = messages -%}
        {%- endif -%}
        {%- for message in loop_messages -%}
            {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
                {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
            {%- endif -%}
            {%- set content = text_of(message['content']) -%}
            {%- if loop.first and system_message is not none -%}
                {%- set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + content -%}
            {%- endif -%}
            {%- if message['role'] == 'user' -%}
                {{- bos_token + '[INST] ' + content.strip() + ' [/INST]' -}}
            {%- else -%}
                {{- ' ' + content.strip() + ' ' + eos_token -}}
            {%- endif -%}
        {%- endfor -%}
        """),

    /** Llama 3 / 3.1 instruct headers, without tool support. */
    LLAMA3("""
        {{- bos_token -}}
        {%- for message in messages -%}
        {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + text_of(message['content']) | trim
            + '<|eot_id|>' -}}
        {%- endfor -%}
        {%- if add_generation_prompt -%}
        {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
        {%- endif -%}
        """),

    /** Mistral Instruct (v1): {@code <s> [INST] system\n\nuser [/INST] answer</s>}, turns strictly alternating. */
    MISTRAL("""
        {%- if messages and messages[0]['role'] == 'system' -%}
            {%- set system_message = text_of(messages[0]['content']) -%}
            {%- set loop_messages = messages[1:] -%}
        {%- else -%}
            {%- set system_message = none -%}
            {%- set loop_messages = messages -%}
        {%- endif -%}
        {{- bos_token -}}
        {%- for message in loop_messages -%}
            {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
                {{- raise_exception('After the optional system message, conversation roles must alternate user/assistant/user/assistant/...') -}}
            {%- endif -%}
            {%- if message['role'] == 'user' -%}
                {%- if loop.first and system_message is not none -%}
                    {{- ' [INST] ' + system_message + '\\n\\n' + text_of(message['content']) + ' [/INST]' -}}
                {%- else -%}
                    {{- ' [INST] ' + text_of(message['content']) + ' [/INST]' -}}
                {%- endif -%}
            {%- else -%}
                {{- ' ' + text_of(message['content']) + eos_token -}}
            {%- endif -%}
        {%- endfor -%}
        """),

    /** Gemma ({@code <start_of_turn>user|model}); a system message is prefixed to the first user turn, as Gemma 3 does. */
    GEMMA("""
        {{- bos_token -}}
        {%- if messages and messages[0]['role'] == 'system' -%}
            {%- set first_user_prefix = text_of(messages[0]['content']) + '\\n\\n' -%}
            {%- set loop_messages = messages[1:] -%}
        {%- else -%}
            {%- set first_user_prefix = '' -%}
            {%- set loop_messages = messages -%}
        {%- endif -%}
        {%- for message in loop_messages -%}
            {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
                {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') -}}
            {%- endif -%}
            {%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
            {{- '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') -}}
            {{- text_of(message['content']) | trim -}}
            {{- '<end_of_turn>\\n' -}}
        {%- endfor -%}
        {%- if add_generation_prompt -%}
            {{- '<start_of_turn>model\\n' -}}
        {%- endif -%}
        """),

    /** Phi-3 / Phi-3.5 ({@code <|role|>\n...<|end|>}). */
    PHI3("""
        {%- for message in messages -%}
        {{- '<|' + message['role'] + '|>\\n' + text_of(message['content']) + '<|end|>\\n' -}}
        {%- endfor -%}
        {%- if add_generation_prompt -%}
        {{- '<|assistant|>\\n' -}}
        {%- endif -%}
        """);

    /** Shared by every format: the text of a message's content, whether a string or a list of parts. */
    private static final String TEXT_OF = """
        {%- macro text_of(content) -%}
            {%- if content is string -%}
                {{- content -}}
            {%- elif content is iterable and content is not mapping -%}
                {%- for part in content if part is mapping and part['type'] == 'text' -%}
                    {{- part['text'] -}}
                {%- endfor -%}
            {%- elif content is not none -%}
                {{- content -}}
            {%- endif -%}
        {%- endmacro -%}
        """;

    private final String body;

    BuiltinChatTemplate(String body) {
        this.body = body;
    }

    /** The Jinja source of this format. */
    public String source() {
        return TEXT_OF + body;
    }

    /** The format called {@code name} (case-insensitive: chatml, llama2, llama3, mistral, gemma, phi3). */
    public static BuiltinChatTemplate byName(String name) {
        for (BuiltinChatTemplate t : values()) {
            if (t.name().equalsIgnoreCase(name.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown chat format '" + name + "'; known: chatml, llama2, llama3, "
            + "mistral, gemma, phi3");
    }

    /** The lower-case name used in configuration, e.g. {@code chatml}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }
}
