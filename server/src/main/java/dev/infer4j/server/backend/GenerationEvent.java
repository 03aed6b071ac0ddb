package dev.infer4j.server.backend;

/** What the engine reports about one generation; see {@link CompletionBackend#submit} for their order. */
public sealed interface GenerationEvent permits PromptTokens, TokenDelta, Finished, Failed {
}
