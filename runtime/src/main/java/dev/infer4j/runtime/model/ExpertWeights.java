package dev.infer4j.runtime.model;

import dev.infer4j.kernels.Weight;

import java.util.List;

/**
 * A layer's mixture of experts: the router, each expert's SwiGLU projections, and the optional shared expert
 * with its sigmoid gate (Qwen 2 MoE; {@code null} otherwise).
 *
 * @param router       {@code ffn_gate_inp}: expert logits, one row per expert
 * @param gate         gate projection of each expert
 * @param up           up projection of each expert
 * @param down         down projection of each expert
 * @param sharedGate   gate projection of the shared expert
 * @param sharedUp     up projection of the shared expert
 * @param sharedDown   down projection of the shared expert
 * @param sharedRouter {@code ffn_gate_inp_shexp}: one row whose dot with the input, through a sigmoid, scales the
 *                     shared expert
 */
public record ExpertWeights(Weight router, List<Weight> gate, List<Weight> up, List<Weight> down, Weight sharedGate,
                            Weight sharedUp, Weight sharedDown, Weight sharedRouter) {
    /** Copies the lists. */
    public ExpertWeights {
        gate = List.copyOf(gate);
        up = List.copyOf(up);
        down = List.copyOf(down);
    }

    /** Whether there is a shared expert. */
    public boolean hasShared() {
        return sharedGate != null;
    }
}
