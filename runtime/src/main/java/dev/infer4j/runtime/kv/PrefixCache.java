package dev.infer4j.runtime.kv;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reuse of computed K/V across requests that share a prompt prefix (vLLM's automatic prefix caching).
 *
 * <p>Only full blocks are cached. A block is keyed by a hash chain: the hash of its parent block's key, the
 * block's tokens and a namespace (e.g. the LoRA adapter), so a block is found only when every token before it
 * matches too. The cache holds one reference to each cached block; sequences that reuse it add their own, and
 * never write to it (a sequence writes only at positions after its full blocks). A block whose only holder is
 * the cache is evictable; eviction takes the least recently used first. Partial blocks are never shared.
 *
 * <p>Used by the engine's step-loop thread only.
 */
public final class PrefixCache {
    private static final long SEED = 0x9E3779B97F4A7C15L;

    private final BlockPool pool;
    private final int blockSize;
    /** Key → entry, in least-recently-used order (access order). */
    private final LinkedHashMap<Long, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
    private long lookups;
    private long hits;
    private long evictions;

    private record Entry(long parent, int[] tokens, int blockId) {
    }

    /** A cache over the blocks of {@code pool}. */
    public PrefixCache(BlockPool pool, int blockSize) {
        this.pool = pool;
        this.blockSize = blockSize;
    }

    /** The key of the chain before its first block. */
    public static long rootKey(long namespace) {
        return mix(SEED ^ namespace);
    }

    /** The key of a block given its parent's key and its tokens {@code tokens[from .. from+blockSize)}. */
    long key(long parent, int[] tokens, int from) {
        long h = mix(parent + SEED);
        for (int i = 0; i < blockSize; i++) {
            h = mix(h ^ (tokens[from + i] & 0xFFFF_FFFFL) * 0xBF58476D1CE4E5B9L);
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private Entry find(long key, long parent, int[] tokens, int from) {
        Entry e = entries.get(key);
        // A 64-bit key collision must never hand out another prompt's K/V: compare what the key stands for.
        if (e == null || e.parent != parent || !Arrays.equals(e.tokens, 0, blockSize, tokens, from, from + blockSize)) {
            return null;
        }
        return e;
    }

    /**
     * Gives an empty block table the cached blocks of the longest cached prefix of {@code tokens[0, limit)}, each
     * retained for the table.
     *
     * @param limit at most this many leading tokens may come from the cache (the caller keeps at least one token
     *              to compute, whose logits it needs)
     * @return the chain state after the reused blocks: how many tokens they cover and the last block's key
     */
    public Chain attach(int[] tokens, int limit, long namespace, BlockTable table) {
        if (table.blockCount() != 0) {
            throw new IllegalStateException("prefix blocks can only start an empty block table");
        }
        long key = rootKey(namespace);
        int blocks = 0;
        for (int from = 0; from + blockSize <= limit; from += blockSize) {
            lookups++;
            long next = key(key, tokens, from);
            Entry e = find(next, key, tokens, from);
            if (e == null) {
                break;
            }
            hits++;
            pool.retain(e.blockId);
            table.append(e.blockId);
            key = next;
            blocks++;
        }
        return new Chain(blocks, key);
    }

    /**
     * Caches the sequence's full blocks beyond those already registered in {@code chain}.
     *
     * @param tokens     the sequence's tokens
     * @param computed   tokens whose K/V are in the cache
     * @param table      the sequence's blocks
     * @param chain      what was registered (or attached) so far
     * @return the new chain state
     */
    public Chain register(int[] tokens, int computed, BlockTable table, Chain chain) {
        int blocks = chain.blocks();
        long key = chain.key();
        while ((blocks + 1) * blockSize <= computed) {
            int from = blocks * blockSize;
            long next = key(key, tokens, from);
            if (find(next, key, tokens, from) == null && !entries.containsKey(next)) {
                int blockId = table.blockId(blocks);
                pool.retain(blockId);
                entries.put(next, new Entry(key, Arrays.copyOfRange(tokens, from, from + blockSize), blockId));
            }
            key = next;
            blocks++;
        }
        return new Chain(blocks, key);
    }

    /** Cached blocks that nobody but the cache holds: free for the taking. */
    public int evictable() {
        int n = 0;
        for (Entry e : entries.values()) {
            if (pool.refCount(e.blockId) == 1) {
                n++;
            }
        }
        return n;
    }

    /** Frees up to {@code blocks} evictable blocks, least recently used first; returns how many it freed. */
    public int evict(int blocks) {
        int freed = 0;
        for (Iterator<Map.Entry<Long, Entry>> it = entries.entrySet().iterator(); it.hasNext() && freed < blocks; ) {
            Entry e = it.next().getValue();
            if (pool.refCount(e.blockId) == 1) {
                it.remove();
                pool.release(e.blockId);
                freed++;
                evictions++;
            }
        }
        return freed;
    }

    /** Blocks the cache holds (shared or evictable). */
    public int size() {
        return entries.size();
    }

    /** Block lookups so far. */
    public long lookups() {
        return lookups;
    }

    /** Block lookups that found a cached block. */
    public long hits() {
        return hits;
    }

    /** Blocks evicted so far. */
    public long evictions() {
        return evictions;
    }

    /**
     * Where a sequence's registered chain of full blocks ends.
     *
     * @param blocks leading blocks registered or reused
     * @param key    the key of the last of them (the root key when none)
     */
    public record Chain(int blocks, long key) {
        /** The empty chain of a namespace. */
        public static Chain empty(long namespace) {
            return new Chain(0, rootKey(namespace));
        }
    }
}
