package dev.infer4j.bench.model;

/**
 * Batched decode at one batch size: every sequence's prompt prefilled in one forward, then steps of one forward
 * that decodes one token for each sequence.
 *
 * @param sequences concurrent sequences
 * @param prefill   prompt tokens of all sequences per second of that one prefill forward
 * @param decode    aggregate decoded tokens per second over all sequences
 */
public record BatchRun(int sequences, Rate prefill, Rate decode) {
}
