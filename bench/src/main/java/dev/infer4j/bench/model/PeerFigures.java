package dev.infer4j.bench.model;

import java.util.Map;

/**
 * Another engine's figures for the same model on the same machine (llama.cpp's, say), to print ratios against.
 * A figure that is not known is 0.
 *
 * @param name    what the figures are from, for the table
 * @param prefill prompt tokens per second
 * @param decode  decoded tokens per second at batch 1
 * @param batched aggregate decoded tokens per second by batch size
 */
public record PeerFigures(String name, double prefill, double decode, Map<Integer, Double> batched) {

    /** Copies the map. */
    public PeerFigures {
        batched = Map.copyOf(batched);
    }

    /** No figures to compare with. */
    public static PeerFigures none() {
        return new PeerFigures("", 0, 0, Map.of());
    }

    /** The batched figure for {@code sequences}, or 0. */
    public double batched(int sequences) {
        return batched.getOrDefault(sequences, 0.0);
    }
}
