/**
 * Step planning: which sequences decode, which prefill chunks run, which sequences are preempted, under a
 * token budget and the free KV blocks. Pure decision-making in the style of vLLM's scheduler: it reads
 * sequence state and returns a plan, touching no model, no KV memory and no threads, so every policy is unit
 * tested without a model.
 */
package dev.infer4j.runtime.scheduler;
