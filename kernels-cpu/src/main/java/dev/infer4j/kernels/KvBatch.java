package dev.infer4j.kernels;

import java.util.Arrays;

/**
 * Where the tokens of one forward pass live in the paged KV cache: for each sequence its block ids and the
 * positions of its new tokens, for each token its position and its cache slot.
 *
 * <p>The runtime fills this once per step ({@link #clear}, then {@link #addSequence} per sequence, in the order the
 * tokens appear in the activation buffers) and every layer reuses it. The arrays grow to the largest batch seen
 * and are then reused, so a steady decode loop allocates nothing. The block id array of a sequence is referenced,
 * not copied: it must not change until the forward pass is done.
 */
public final class KvBatch {
    private final int blockSize;
    private int tokens;
    private int[] positions = new int[16];
    private int[] slots = new int[16];
    private int sequences;
    private int[] firstToken = new int[4];
    private int[] tokenCount = new int[4];
    private int[][] blockIds = new int[4][];

    /** An empty batch for a cache whose blocks hold {@code blockSize} positions. */
    public KvBatch(int blockSize) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("blockSize must be positive, got " + blockSize);
        }
        this.blockSize = blockSize;
    }

    /** Forgets every sequence, keeping the arrays. */
    public void clear() {
        Arrays.fill(blockIds, 0, sequences, null);
        tokens = 0;
        sequences = 0;
    }

    /**
     * Appends a sequence whose {@code count} new tokens sit at positions {@code firstPosition ...
     * firstPosition + count - 1}; its block table must already cover them.
     *
     * @param blocks        block ids, position {@code p} living in block {@code blocks[p / blockSize]}
     * @param blockCount    number of valid entries of {@code blocks}
     * @param firstPosition position of the first new token
     * @param count         number of new tokens (at least one)
     */
    public void addSequence(int[] blocks, int blockCount, int firstPosition, int count) {
        if (count <= 0 || firstPosition < 0) {
            throw new IllegalArgumentException("a sequence needs at least one token at a non-negative position, got "
                    + count + " at " + firstPosition);
        }
        int lastPosition = firstPosition + count - 1;
        if (blockCount > blocks.length || lastPosition / blockSize >= blockCount) {
            throw new IllegalArgumentException("block table of " + blockCount + " blocks does not cover position "
                    + lastPosition + " (block size " + blockSize + ")");
        }
        if (sequences == firstToken.length) {
            int n = sequences * 2;
            firstToken = Arrays.copyOf(firstToken, n);
            tokenCount = Arrays.copyOf(tokenCount, n);
            blockIds = Arrays.copyOf(blockIds, n);
        }
        if (tokens + count > positions.length) {
            int n = Math.max(positions.length * 2, tokens + count);
            positions = Arrays.copyOf(positions, n);
            slots = Arrays.copyOf(slots, n);
        }
        firstToken[sequences] = tokens;
        tokenCount[sequences] = count;
        blockIds[sequences] = blocks;
        sequences++;
        for (int i = 0; i < count; i++) {
            int p = firstPosition + i;
            positions[tokens] = p;
            slots[tokens] = blocks[p / blockSize] * blockSize + p % blockSize;
            tokens++;
        }
    }

    /** Positions per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Number of new tokens over all sequences. */
    public int tokens() {
        return tokens;
    }

    /** Number of sequences. */
    public int sequences() {
        return sequences;
    }

    /** Position of token {@code t} in its sequence. */
    public int position(int t) {
        return positions[t];
    }

    /** Cache slot token {@code t} writes its K and V to. */
    public int slot(int t) {
        return slots[t];
    }

    /** The positions of all tokens; only the first {@link #tokens()} entries are meaningful. Do not modify. */
    public int[] positions() {
        return positions;
    }

    /** Index of the first token of sequence {@code s}. */
    public int firstToken(int s) {
        return firstToken[s];
    }

    /** Number of new tokens of sequence {@code s}. */
    public int tokenCount(int s) {
        return tokenCount[s];
    }

    /** Block ids of sequence {@code s} (shared, do not modify). */
    public int[] blockIds(int s) {
        return blockIds[s];
    }

    /** Slot of position {@code p} of sequence {@code s}. */
    public int slotOf(int s, int p) {
        return blockIds[s][p / blockSize] * blockSize + p % blockSize;
    }
}
