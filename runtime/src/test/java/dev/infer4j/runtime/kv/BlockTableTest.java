package dev.infer4j.runtime.kv;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BlockTableTest {

    @Test
    void coversPositionsWithWholeBlocks() {
        BlockPool pool = new BlockPool(10);
        BlockTable table = new BlockTable(16);
        table.ensureCapacity(1, pool);
        assertEquals(1, table.blockCount());
        table.ensureCapacity(16, pool);
        assertEquals(1, table.blockCount());
        table.ensureCapacity(17, pool);
        assertEquals(2, table.blockCount());
        assertEquals(32, table.capacity());
        table.ensureCapacity(100, pool);
        assertEquals(7, table.blockCount());
        assertEquals(3, pool.freeBlocks());
    }

    @Test
    void takesNoBlockWhenThePoolCannotCoverTheRequest() {
        BlockPool pool = new BlockPool(3);
        BlockTable table = new BlockTable(16);
        table.ensureCapacity(16, pool);
        assertThrows(KvCacheFullException.class, () -> table.ensureCapacity(16 * 5, pool));
        assertEquals(1, table.blockCount());
        assertEquals(2, pool.freeBlocks());
    }

    @Test
    void releaseReturnsEveryBlockAndSharedBlocksSurvive() {
        BlockPool pool = new BlockPool(4);
        BlockTable first = new BlockTable(16);
        first.ensureCapacity(32, pool);
        BlockTable second = new BlockTable(16);
        int shared = first.blockId(0);
        pool.retain(shared);
        second.append(shared);
        second.ensureCapacity(20, pool);
        assertEquals(1, pool.freeBlocks());
        first.release(pool);
        assertEquals(0, first.blockCount());
        assertEquals(2, pool.freeBlocks());
        assertEquals(1, pool.refCount(shared));
        second.release(pool);
        assertEquals(4, pool.freeBlocks());
    }

    @Test
    void blockIdOutsideTheTableIsRefused() {
        BlockTable table = new BlockTable(16);
        assertThrows(IndexOutOfBoundsException.class, () -> table.blockId(0));
    }

    @Test
    void truncatingReturnsOnlyTheBlocksPastThePositionsKept() {
        BlockPool pool = new BlockPool(8);
        BlockTable t = new BlockTable(16);
        t.ensureCapacity(50, pool);
        assertEquals(4, t.blockCount());
        t.truncate(33, pool);
        assertEquals(3, t.blockCount(), "positions 0..32 need three blocks of 16");
        assertEquals(5, pool.freeBlocks());
        t.truncate(40, pool);
        assertEquals(3, t.blockCount(), "truncating never grows the table");
    }

    @Test
    void truncatingToTheLengthHeldOrPastItChangesNothing() {
        BlockPool pool = new BlockPool(8);
        BlockTable t = new BlockTable(16);
        t.ensureCapacity(40, pool);
        int[] before = java.util.Arrays.copyOf(t.blockIds(), t.blockCount());
        t.truncate(40, pool);
        t.truncate(48, pool);
        // the engine truncates to its token count after a bonus token whose position has no block yet
        t.truncate(49, pool);
        t.truncate(1000, pool);
        assertEquals(3, t.blockCount());
        assertEquals(5, pool.freeBlocks());
        assertArrayEquals(before, java.util.Arrays.copyOf(t.blockIds(), t.blockCount()), "blocks kept in order");
    }

    @Test
    void truncatingAtABlockEdgeKeepsExactlyTheFullBlocks() {
        BlockPool pool = new BlockPool(8);
        BlockTable t = new BlockTable(16);
        t.ensureCapacity(64, pool);
        int third = t.blockId(2);
        t.truncate(32, pool);
        assertEquals(2, t.blockCount(), "positions 0..31 fill two blocks");
        assertEquals(0, pool.refCount(third), "the third block is free again");
        t.truncate(0, pool);
        assertEquals(0, t.blockCount());
        assertEquals(8, pool.freeBlocks());
    }

    @Test
    void truncatingASharedBlockDropsOnlyTheTablesReference() {
        BlockPool pool = new BlockPool(4);
        BlockTable t = new BlockTable(16);
        t.ensureCapacity(32, pool);
        int second = t.blockId(1);
        pool.retain(second); // as the prefix cache does for a full block
        t.truncate(16, pool);
        assertEquals(1, t.blockCount());
        assertEquals(1, pool.refCount(second), "the other holder keeps it");
        assertEquals(2, pool.freeBlocks());
    }
}
