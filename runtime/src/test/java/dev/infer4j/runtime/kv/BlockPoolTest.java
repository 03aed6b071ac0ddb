package dev.infer4j.runtime.kv;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BlockPoolTest {

    @Test
    void allocatesEveryBlockOnceThenReportsFull() {
        BlockPool pool = new BlockPool(5);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            int id = pool.allocate();
            assertTrue(id >= 0 && id < 5, "id in range: " + id);
            assertTrue(seen.add(id), "block " + id + " handed out twice");
            assertEquals(1, pool.refCount(id));
        }
        assertEquals(0, pool.freeBlocks());
        assertEquals(5, pool.usedBlocks());
        KvCacheFullException e = assertThrows(KvCacheFullException.class, pool::allocate);
        assertTrue(e.getMessage().contains("5"), e.getMessage());
    }

    @Test
    void firstAllocationsAreLowIds() {
        BlockPool pool = new BlockPool(3);
        assertEquals(0, pool.allocate());
        assertEquals(1, pool.allocate());
        assertEquals(2, pool.allocate());
    }

    @Test
    void releasedBlockIsReusedLastFreedFirst() {
        BlockPool pool = new BlockPool(4);
        int a = pool.allocate();
        int b = pool.allocate();
        assertTrue(pool.release(a));
        assertTrue(pool.release(b));
        assertEquals(b, pool.allocate());
        assertEquals(a, pool.allocate());
    }

    @Test
    void sharedBlockIsFreedOnlyByItsLastHolder() {
        BlockPool pool = new BlockPool(2);
        int id = pool.allocate();
        pool.retain(id);
        pool.retain(id);
        assertEquals(3, pool.refCount(id));
        assertFalse(pool.release(id));
        assertFalse(pool.release(id));
        assertEquals(1, pool.freeBlocks());
        assertTrue(pool.release(id));
        assertEquals(0, pool.refCount(id));
        assertEquals(2, pool.freeBlocks());
    }

    @Test
    void misuseIsRefusedWithoutChangingTheCounts() {
        BlockPool pool = new BlockPool(3);
        int id = pool.allocate();
        assertThrows(IllegalStateException.class, () -> pool.release(2), "release of a free block");
        assertThrows(IllegalStateException.class, () -> pool.retain(1), "retain of a free block");
        assertThrows(IllegalArgumentException.class, () -> pool.release(3), "id past the end");
        assertThrows(IllegalArgumentException.class, () -> pool.refCount(-1), "negative id");
        assertTrue(pool.release(id));
        assertThrows(IllegalStateException.class, () -> pool.release(id), "double release");
        assertEquals(3, pool.freeBlocks());
        assertThrows(IllegalArgumentException.class, () -> new BlockPool(0));
    }

    /** Random allocate/retain/release against a model of who holds what; invariants checked after every step. */
    @Test
    void randomOperationsKeepCountsConsistentWithAModel() {
        int blocks = 7;
        BlockPool pool = new BlockPool(blocks);
        int[] holders = new int[blocks];
        Deque<Integer> held = new ArrayDeque<>();
        Random random = new Random(42);
        for (int step = 0; step < 20_000; step++) {
            int op = random.nextInt(3);
            if (op == 0) {
                if (pool.freeBlocks() == 0) {
                    assertThrows(KvCacheFullException.class, pool::allocate);
                } else {
                    int id = pool.allocate();
                    assertEquals(0, holders[id], "allocated block " + id + " was still held");
                    holders[id] = 1;
                    held.add(id);
                }
            } else if (op == 1 && !held.isEmpty()) {
                int id = held.peekFirst();
                pool.retain(id);
                holders[id]++;
                held.addLast(id);
            } else if (!held.isEmpty()) {
                int id = random.nextBoolean() ? held.pollFirst() : held.pollLast();
                boolean freed = pool.release(id);
                holders[id]--;
                assertEquals(holders[id] == 0, freed, "release of block " + id + " reported the wrong freeing");
            }
            int free = 0;
            for (int id = 0; id < blocks; id++) {
                assertEquals(holders[id], pool.refCount(id), "ref count of block " + id + " at step " + step);
                if (holders[id] == 0) {
                    free++;
                }
            }
            assertEquals(free, pool.freeBlocks(), "free count at step " + step);
        }
    }
}
