/**
 * Speculative decoding: how proposals are made (a small draft model sharing the target's vocabulary, or n-gram
 * prompt lookup) and the rule that accepts or corrects them so the output keeps exactly the target model's
 * distribution (Leviathan et al. 2023, Chen et al. 2023).
 *
 * <p>Pure pieces with no threads and no KV state: the engine drives them from its step loop. May depend on
 * {@code formats}, {@code runtime.model} and {@code runtime.sampling}; never on {@code runtime.engine} or the
 * scheduler.
 */
package dev.infer4j.runtime.spec;
