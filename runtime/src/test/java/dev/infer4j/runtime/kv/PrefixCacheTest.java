package dev.infer4j.runtime.kv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PrefixCacheTest {
    private static final int BS = 4;

    private static int[] tokens(int... t) {
        return t;
    }

    /** A sequence that computed {@code tokens} into fresh blocks and registered them. */
    private static BlockTable computed(BlockPool pool, PrefixCache cache, int[] tokens) {
        BlockTable table = new BlockTable(BS);
        table.ensureCapacity(tokens.length, pool);
        cache.register(tokens, tokens.length, table, PrefixCache.Chain.empty(0));
        return table;
    }

    @Test
    void onlyFullBlocksAreCachedAndTheCacheHoldsOneReferenceEach() {
        BlockPool pool = new BlockPool(8);
        PrefixCache cache = new PrefixCache(pool, BS);
        BlockTable a = computed(pool, cache, tokens(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
        assertEquals(2, cache.size(), "two full blocks, the partial third is never shared");
        assertEquals(2, pool.refCount(a.blockId(0)));
        assertEquals(1, pool.refCount(a.blockId(2)));
        a.release(pool);
        assertEquals(2, cache.evictable());
        assertEquals(6, pool.freeBlocks());
    }

    @Test
    void aLaterSequenceReusesTheLongestMatchingChain() {
        BlockPool pool = new BlockPool(8);
        PrefixCache cache = new PrefixCache(pool, BS);
        BlockTable a = computed(pool, cache, tokens(1, 2, 3, 4, 5, 6, 7, 8));
        BlockTable b = new BlockTable(BS);
        PrefixCache.Chain chain = cache.attach(tokens(1, 2, 3, 4, 5, 6, 7, 9, 9), 8, 0, b);
        assertEquals(1, chain.blocks(), "the second block differs in its last token");
        assertEquals(a.blockId(0), b.blockId(0));
        assertEquals(3, pool.refCount(a.blockId(0)), "cache, a and b");
        assertEquals(0, cache.evictable());
    }

    @Test
    void aBlockMatchesOnlyAfterTheSameEarlierTokens() {
        BlockPool pool = new BlockPool(8);
        PrefixCache cache = new PrefixCache(pool, BS);
        computed(pool, cache, tokens(1, 2, 3, 4, 5, 6, 7, 8)).release(pool);
        BlockTable b = new BlockTable(BS);
        // Same second block, different first: nothing may be reused, the K/V of 5..8 depend on 1..4.
        assertEquals(0, cache.attach(tokens(9, 2, 3, 4, 5, 6, 7, 8, 1), 8, 0, b).blocks());
        assertEquals(0, cache.attach(tokens(1, 2, 3, 4, 5, 6, 7, 8, 1), 8, 7, new BlockTable(BS)).blocks(),
                "another namespace (adapter) sees nothing");
    }

    @Test
    void theLimitKeepsTheTokensWhoseLogitsAreNeeded() {
        BlockPool pool = new BlockPool(8);
        PrefixCache cache = new PrefixCache(pool, BS);
        computed(pool, cache, tokens(1, 2, 3, 4, 5, 6, 7, 8));
        // The same 8-token prompt again: only 7 tokens may come from the cache, so one block is reused.
        assertEquals(1, cache.attach(tokens(1, 2, 3, 4, 5, 6, 7, 8), 7, 0, new BlockTable(BS)).blocks());
    }

    @Test
    void evictionTakesTheLeastRecentlyUsedUnreferencedBlocks() {
        BlockPool pool = new BlockPool(6);
        PrefixCache cache = new PrefixCache(pool, BS);
        BlockTable a = computed(pool, cache, tokens(1, 1, 1, 1));
        BlockTable b = computed(pool, cache, tokens(2, 2, 2, 2));
        BlockTable c = computed(pool, cache, tokens(3, 3, 3, 3));
        int cBlock = c.blockId(0);
        a.release(pool);
        b.release(pool);
        // Reusing a makes b the least recently used; c is still held by its sequence.
        BlockTable again = new BlockTable(BS);
        assertEquals(1, cache.attach(tokens(1, 1, 1, 1, 0), 4, 0, again).blocks());
        again.release(pool);
        assertEquals(1, cache.evict(1));
        assertEquals(2, cache.size());
        assertEquals(0, cache.attach(tokens(2, 2, 2, 2, 0), 4, 0, new BlockTable(BS)).blocks(), "b was evicted");
        assertEquals(1, cache.attach(tokens(1, 1, 1, 1, 0), 4, 0, new BlockTable(BS)).blocks(), "a survived");
        assertEquals(2, pool.refCount(cBlock), "a held block is never evicted");
    }

    @Test
    void attachOnlyStartsAnEmptyTable() {
        BlockPool pool = new BlockPool(4);
        PrefixCache cache = new PrefixCache(pool, BS);
        BlockTable t = new BlockTable(BS);
        t.ensureCapacity(1, pool);
        assertThrows(IllegalStateException.class, () -> cache.attach(tokens(1, 2, 3, 4, 5), 4, 0, t));
        assertEquals(1, t.blockCount(), "the table is untouched");
    }
}
