/**
 * The paged KV cache: a {@link dev.infer4j.runtime.kv.BlockPool} of fixed-size blocks with reference counts, a
 * {@link dev.infer4j.runtime.kv.BlockTable} per sequence mapping its positions to blocks, and
 * {@link dev.infer4j.runtime.kv.KvCache}, the per-layer storage the blocks index.
 *
 * <p>A block id names the same 16 (by default) positions in every layer's storage. These classes are touched by
 * the engine's step thread only and take no locks. May depend on {@code dev.infer4j.kernels}; not on the model,
 * scheduler or server.
 */
package dev.infer4j.runtime.kv;
