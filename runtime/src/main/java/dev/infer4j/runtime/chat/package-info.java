/**
 * Chat templates: turns an OpenAI-style conversation (messages, tools) into the prompt text a model was trained on,
 * by rendering the model's {@code tokenizer.chat_template} with Hugging Face {@code apply_chat_template} semantics.
 *
 * <p>{@link dev.infer4j.runtime.chat.ChatTemplate} is the entry point; {@link dev.infer4j.runtime.chat.BuiltinChatTemplate}
 * supplies standard formats for models that carry no template. The Jinja engine lives in the {@code jinja}
 * sub-package. This package depends on the JDK, Jackson (to accept JSON messages) and its sub-package only; it knows
 * nothing of tokenizers, models or HTTP.
 */
package dev.infer4j.runtime.chat;
