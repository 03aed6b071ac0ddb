/**
 * The single-process model benchmark behind {@code infer4j bench model}: prefill and decode speed of one model at
 * batch 1, aggregate decode throughput of several concurrent sequences, and how close decode comes to the
 * memory-bandwidth roofline (weight bytes read per token against the in-process bandwidth probe).
 *
 * <p>Drives {@code runtime}'s {@code Model} directly (no engine, no server) so the figures are the model's own.
 * May depend on {@code formats}, {@code kernels-cpu}, {@code runtime} and {@code bench.roofline}; not on
 * {@code server}, and nothing outside {@code bench} may depend on it.
 */
package dev.infer4j.bench.model;
