package dev.infer4j.server.openai;

import dev.infer4j.server.backend.BackendException;
import dev.infer4j.server.backend.CompletionBackend;
import dev.infer4j.server.backend.GenerationSpec;
import dev.infer4j.server.backend.ModelInfo;
import dev.infer4j.server.backend.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Renders and tokenizes a request's prompts, checks them against the context size and builds one
 * {@link GenerationSpec} per choice. Calls the backend's tokenizer and template, so it runs off the event loop.
 */
public final class GenerationPlanner {

    private final CompletionBackend backend;

    public GenerationPlanner(CompletionBackend backend) {
        this.backend = backend;
    }

    /**
     * Plans every choice of a request.
     *
     * @throws ApiException when a prompt is empty, does not fit the context, or the backend rejects it
     */
    public List<PlannedChoice> plan(GenerationRequest request) {
        try {
            return planChecked(request);
        } catch (BackendException e) {
            throw ApiException.fromBackend(e);
        }
    }

    private List<PlannedChoice> planChecked(GenerationRequest request) {
        ModelInfo model = backend.model();
        List<PlannedChoice> choices = new ArrayList<>(request.choiceCount());
        for (int p = 0; p < request.prompts().size(); p++) {
            PromptSource source = request.prompts().get(p);
            int[] tokens = tokens(source);
            String param = request.endpoint().promptField();
            if (tokens.length == 0) {
                throw ApiException.invalidField(param, "The prompt is empty after tokenization");
            }
            int context = model.contextLength();
            int maxTokens = request.maxTokens().orElse(Math.max(0, context - tokens.length));
            // without max_tokens the budget is what the context leaves, and a full context leaves nothing
            if ((long) tokens.length + maxTokens > context || request.maxTokens().isEmpty() && maxTokens == 0) {
                throw new ApiException(400, "invalid_request_error", "This model's maximum context length is "
                        + context + " tokens. However, you requested " + ((long) tokens.length + maxTokens)
                        + " tokens (" + tokens.length + " in the " + param + ", " + maxTokens
                        + " in the completion). Please reduce the length of the " + param + " or completion.",
                        param, "context_length_exceeded");
            }
            if (request.minTokens() > maxTokens) {
                throw ApiException.invalidField("min_tokens", "'min_tokens' (" + request.minTokens()
                        + ") exceeds the completion budget of " + maxTokens + " tokens");
            }
            String echoText = request.echo() ? echoText(source) : "";
            for (int j = 0; j < request.n(); j++) {
                GenerationSpec spec = new GenerationSpec(tokens, seeded(request.sampling(), j), request.stop(),
                        request.stopTokenIds(), maxTokens, request.minTokens(), request.ignoreEos(),
                        request.logprobs(), request.echo() && request.logprobs() >= 0);
                choices.add(new PlannedChoice(p * request.n() + j, spec, echoText, j == 0));
            }
        }
        return choices;
    }

    private int[] tokens(PromptSource source) {
        return switch (source) {
            case PromptSource.Chat chat -> backend.tokenize(
                    backend.renderChat(chat.messages(), chat.tools(), chat.addGenerationPrompt(), chat.templateKwargs()),
                    false, true);
            case PromptSource.Text text -> backend.tokenize(text.text(), true, true);
            case PromptSource.Tokens ids -> ids.ids();
        };
    }

    private String echoText(PromptSource source) {
        return switch (source) {
            case PromptSource.Chat chat -> "";
            case PromptSource.Text text -> text.text();
            case PromptSource.Tokens ids -> backend.detokenize(ids.ids());
        };
    }

    /**
     * With a seed, choice j samples with seed + j: n separate generations seeded alike would return n copies of one
     * sample, which is not what {@code n} asks for, yet the whole response stays reproducible.
     */
    private static SamplingParams seeded(SamplingParams sampling, int choice) {
        if (choice == 0 || sampling.seed().isEmpty()) {
            return sampling;
        }
        return new SamplingParams(sampling.temperature(), sampling.topP(), sampling.topK(), sampling.minP(),
                sampling.typicalP(), sampling.repetitionPenalty(), sampling.presencePenalty(),
                sampling.frequencyPenalty(), sampling.logitBias(),
                OptionalLong.of(sampling.seed().getAsLong() + choice));
    }
}
