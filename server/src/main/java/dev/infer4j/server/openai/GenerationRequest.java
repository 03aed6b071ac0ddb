package dev.infer4j.server.openai;

import dev.infer4j.server.backend.SamplingParams;

import java.util.List;
import java.util.OptionalInt;

/**
 * A validated chat or completion request.
 *
 * @param endpoint     which endpoint it came to
 * @param model        the requested model name, or null when the request named none
 * @param prompts      one prompt for chat; one or more for completions (each gets {@code n} choices)
 * @param n            completions per prompt
 * @param stream       answer as server-sent events
 * @param includeUsage {@code stream_options.include_usage}
 * @param maxTokens    requested completion budget; empty means "up to the context size"
 * @param minTokens    {@code min_tokens}
 * @param sampling     sampling parameters
 * @param stop         stop strings
 * @param stopTokenIds stop token ids
 * @param ignoreEos    {@code ignore_eos}
 * @param logprobs     -1 off, else the number of alternatives per position
 * @param echo         completions only: prepend the prompt to the output
 * @param user         the {@code user} field, or null; accepted for compatibility, not used
 */
public record GenerationRequest(Endpoint endpoint, String model, List<PromptSource> prompts, int n, boolean stream,
                                boolean includeUsage, OptionalInt maxTokens, int minTokens, SamplingParams sampling,
                                List<String> stop, int[] stopTokenIds, boolean ignoreEos, int logprobs, boolean echo,
                                String user) {
    public GenerationRequest {
        prompts = List.copyOf(prompts);
        stop = List.copyOf(stop);
        stopTokenIds = stopTokenIds.clone();
    }

    /** Number of choices in the response: {@code prompts.size() * n}. */
    public int choiceCount() {
        return prompts.size() * n;
    }
}
