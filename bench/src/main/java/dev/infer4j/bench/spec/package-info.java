/**
 * The speculative-decoding benchmark behind {@code infer4j bench spec}: greedy batch-1 generation through the
 * engine without and with speculation (a draft model or n-gram prompt lookup) on the same prompt, the acceptance
 * rate α the engine counted, the draft-to-target cost ratio c, and the measured speedup beside the standard
 * theoretical one (Leviathan et al. 2023).
 *
 * <p>May depend on {@code formats}, {@code kernels-cpu}, {@code runtime} and {@code bench.model} (for timing a
 * bare {@code Model.forward}); not on {@code server}, and nothing outside {@code bench} may depend on it.
 */
package dev.infer4j.bench.spec;
