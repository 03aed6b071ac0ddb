package dev.infer4j.server.openai;

import java.util.List;
import java.util.Map;

/** Where one prompt comes from, before it is rendered and tokenized. */
public sealed interface PromptSource {

    /** A chat to render with the model's template. */
    record Chat(List<Map<String, Object>> messages, List<Map<String, Object>> tools, boolean addGenerationPrompt,
                Map<String, Object> templateKwargs) implements PromptSource {
        public Chat {
            messages = List.copyOf(messages);
            tools = List.copyOf(tools);
            templateKwargs = Map.copyOf(templateKwargs);
        }
    }

    /** A completion prompt given as text. */
    record Text(String text) implements PromptSource {
    }

    /** A completion prompt given as token ids. */
    record Tokens(int[] ids) implements PromptSource {
        public Tokens {
            ids = ids.clone();
        }
    }
}
