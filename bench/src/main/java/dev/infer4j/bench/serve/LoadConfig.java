package dev.infer4j.bench.serve;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What load to generate.
 *
 * @param baseUrl       the API root, e.g. {@code http://127.0.0.1:8080/v1}
 * @param model         the model name to send
 * @param apiKey        bearer token, or null
 * @param chat          use {@code /chat/completions} (true) or {@code /completions}
 * @param numPrompts    requests to send in all
 * @param concurrency   most requests in flight at once
 * @param requestRate   requests per second drawn from a Poisson process, or 0 to send as fast as concurrency allows
 * @param promptTokens  approximate prompt length of synthetic prompts (words of about one token each)
 * @param promptJitter  synthetic prompt lengths vary uniformly by ± this many tokens
 * @param outputTokens  {@code max_tokens} of every request (EOS ignored so every request generates all of them)
 * @param sharedPrefixTokens the first this many of a synthetic prompt's {@code promptTokens} are the same text in
 *                      every prompt (a shared system prompt, which a prefix cache can reuse); 0 for none
 * @param promptsJsonl  a JSONL file of prompts ({@code {"prompt": "..."}} per line) instead of synthetic ones, or null
 * @param seed          seeds the synthetic prompts and the arrival process
 * @param sloTtft       goodput counts only requests whose time to first token is at most this
 * @param sloTpot       ... and whose time per output token is at most this
 * @param timeout       per-request timeout
 */
public record LoadConfig(URI baseUrl, String model, String apiKey, boolean chat, int numPrompts, int concurrency,
                         double requestRate, int promptTokens, int promptJitter, int outputTokens, int sharedPrefixTokens,
                         Path promptsJsonl,
                         long seed, Duration sloTtft, Duration sloTpot, Duration timeout) {

    /** Validates the numbers. */
    public LoadConfig {
        if (numPrompts < 1 || concurrency < 1 || outputTokens < 1 || promptTokens < 1 || promptJitter < 0
                || requestRate < 0 || sharedPrefixTokens < 0) {
            throw new IllegalArgumentException("prompts, concurrency, prompt and output tokens must be positive, "
                    + "jitter and rate not negative");
        }
        if (sharedPrefixTokens > 0 && sharedPrefixTokens >= promptTokens) {
            throw new IllegalArgumentException("the shared prefix (" + sharedPrefixTokens + " tokens) must be shorter "
                    + "than the prompt (" + promptTokens + " tokens), which includes it");
        }
    }
}
