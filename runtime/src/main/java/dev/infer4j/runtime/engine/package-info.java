/**
 * The embedding API and the step loop: an {@link dev.infer4j.runtime.engine.Engine} owns one model, one KV cache
 * and one thread that runs every forward pass; callers on any thread submit requests and receive their events.
 *
 * <p>DESIGN.md's rules live here: the step loop owns sequences, scheduler and KV cache (no locks on the hot
 * path; other threads reach it only through queues), every sequence returns its KV blocks however it ends, and a
 * failing request never stops the engine.
 */
package dev.infer4j.runtime.engine;
