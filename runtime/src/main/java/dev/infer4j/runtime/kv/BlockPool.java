package dev.infer4j.runtime.kv;

/**
 * A fixed set of KV cache blocks, handed out by id with reference counts.
 *
 * <p>{@link #allocate()} gives a free block with a count of one; {@link #retain(int)} adds a holder (a prefix shared
 * by two sequences); {@link #release(int)} drops one and frees the block when none is left. Free blocks are reused
 * last-freed first, which keeps recently touched memory warm. Misuse (an id out of range, releasing or retaining a
 * free block) throws instead of corrupting the counts, because a leaked or doubly owned block silently mixes two
 * sequences' keys.
 */
public final class BlockPool {
    private final int[] refCounts;
    private final int[] freeStack;
    private int freeCount;

    /** A pool of {@code blocks} free blocks, ids {@code 0 .. blocks-1}. */
    public BlockPool(int blocks) {
        if (blocks <= 0) {
            throw new IllegalArgumentException("a block pool needs at least one block, got " + blocks);
        }
        refCounts = new int[blocks];
        freeStack = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            freeStack[i] = blocks - 1 - i;
        }
        freeCount = blocks;
    }

    /** Total number of blocks. */
    public int capacity() {
        return refCounts.length;
    }

    /** Number of blocks nobody holds. */
    public int freeBlocks() {
        return freeCount;
    }

    /** Number of blocks somebody holds. */
    public int usedBlocks() {
        return refCounts.length - freeCount;
    }

    /**
     * Takes a free block; its reference count becomes one.
     *
     * @throws KvCacheFullException if every block is in use
     */
    public int allocate() {
        if (freeCount == 0) {
            throw new KvCacheFullException("all " + refCounts.length + " KV cache blocks are in use");
        }
        int id = freeStack[--freeCount];
        refCounts[id] = 1;
        return id;
    }

    /** Adds a holder to a block in use. */
    public void retain(int id) {
        checkHeld(id, "retain");
        refCounts[id]++;
    }

    /**
     * Drops a holder of a block in use.
     *
     * @return true if that was the last holder and the block is free again
     */
    public boolean release(int id) {
        checkHeld(id, "release");
        if (--refCounts[id] > 0) {
            return false;
        }
        freeStack[freeCount++] = id;
        return true;
    }

    /** Number of holders of a block (0 when free). */
    public int refCount(int id) {
        checkRange(id);
        return refCounts[id];
    }

    private void checkHeld(int id, String action) {
        checkRange(id);
        if (refCounts[id] == 0) {
            throw new IllegalStateException("cannot " + action + " block " + id + ": it is free");
        }
    }

    private void checkRange(int id) {
        if (id < 0 || id >= refCounts.length) {
            throw new IllegalArgumentException("block id " + id + " is outside 0.." + (refCounts.length - 1));
        }
    }
}
