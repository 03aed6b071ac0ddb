package dev.infer4j.runtime.kv;

import java.util.Arrays;

/**
 * One sequence's map from token positions to cache blocks: position {@code p} lives in block
 * {@code blockId(p / blockSize)} at offset {@code p % blockSize}.
 *
 * <p>The table holds one reference to each of its blocks; {@link #release} gives them all back.
 */
public final class BlockTable {
    private final int blockSize;
    private int[] blocks = new int[4];
    private int count;

    /** An empty table for blocks of {@code blockSize} positions. */
    public BlockTable(int blockSize) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be positive, got " + blockSize);
        }
        this.blockSize = blockSize;
    }

    /** Positions per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Number of blocks held. */
    public int blockCount() {
        return count;
    }

    /** Number of positions the held blocks cover. */
    public int capacity() {
        return count * blockSize;
    }

    /** The id of the {@code i}-th block. */
    public int blockId(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("block " + i + " of a table with " + count + " blocks");
        }
        return blocks[i];
    }

    /**
     * The block ids; only the first {@link #blockCount()} entries are meaningful. The array is shared, not copied,
     * so that building a batch allocates nothing: do not modify it.
     */
    public int[] blockIds() {
        return blocks;
    }

    /** Number of blocks needed to cover {@code positions} positions. */
    public int blocksFor(int positions) {
        return (positions + blockSize - 1) / blockSize;
    }

    /**
     * Allocates blocks from {@code pool} until positions {@code 0 .. positions-1} are covered. Either every needed
     * block is allocated or, when the pool runs out, none is kept.
     *
     * @throws KvCacheFullException if the pool has too few free blocks
     */
    public void ensureCapacity(int positions, BlockPool pool) {
        int needed = blocksFor(positions) - count;
        if (needed <= 0) {
            return;
        }
        if (needed > pool.freeBlocks()) {
            throw new KvCacheFullException("need " + needed + " more KV blocks for " + positions + " positions, "
                    + pool.freeBlocks() + " free");
        }
        for (int i = 0; i < needed; i++) {
            append(pool.allocate());
        }
    }

    /** Appends a block the caller already holds a reference for (a shared prefix block after {@link BlockPool#retain}). */
    public void append(int blockId) {
        if (count == blocks.length) {
            blocks = Arrays.copyOf(blocks, count * 2);
        }
        blocks[count++] = blockId;
    }

    /**
     * Releases the blocks beyond those covering positions {@code 0 .. positions-1} (a rollback after rejected
     * speculative tokens); the K/V left in the kept blocks past {@code positions} is stale and gets overwritten.
     */
    public void truncate(int positions, BlockPool pool) {
        int keep = Math.max(0, blocksFor(positions));
        while (count > keep) {
            pool.release(blocks[--count]);
        }
    }

    /** Releases every block to {@code pool} and empties the table. */
    public void release(BlockPool pool) {
        for (int i = 0; i < count; i++) {
            pool.release(blocks[i]);
        }
        count = 0;
    }
}
