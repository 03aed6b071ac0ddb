package dev.infer4j.runtime.model;

import dev.infer4j.runtime.kv.BlockTable;

import java.util.Arrays;

/**
 * The work of one forward pass: several sequences, each with one or more new tokens at consecutive positions and
 * the block table that holds (and will hold) its K/V. A single chat is a batch of one.
 *
 * <p>Reusable: {@link #clear()} keeps the arrays, so a steady decode loop builds its batches without allocating.
 * Block tables are referenced, not copied; they must cover every new position before {@link Model#forward}.
 */
public final class Batch {
    private int sequences;
    private BlockTable[] tables = new BlockTable[4];
    private int[] firstPosition = new int[4];
    private int[] tokenStart = new int[4];
    private int[] tokenCount = new int[4];
    private boolean[] allLogits = new boolean[4];
    private int tokens;
    private int[] tokenIds = new int[16];

    /** Removes every sequence. */
    public void clear() {
        Arrays.fill(tables, 0, sequences, null);
        sequences = 0;
        tokens = 0;
    }

    /**
     * Adds a sequence whose new tokens {@code ids[from .. from+count-1]} sit at positions {@code firstPosition ..}.
     * Logits come back for its last token, or for every new token when {@code allLogits}.
     *
     * @return the sequence's index in this batch (its index into {@link Logits#firstRow})
     */
    public int add(BlockTable table, int firstPosition, int[] ids, int from, int count, boolean allLogits) {
        if (count <= 0) {
            throw new IllegalArgumentException("a sequence in a batch needs at least one new token");
        }
        if (firstPosition < 0) {
            throw new IllegalArgumentException("negative position " + firstPosition);
        }
        if (sequences == tables.length) {
            int n = sequences * 2;
            tables = Arrays.copyOf(tables, n);
            this.firstPosition = Arrays.copyOf(this.firstPosition, n);
            tokenStart = Arrays.copyOf(tokenStart, n);
            tokenCount = Arrays.copyOf(tokenCount, n);
            this.allLogits = Arrays.copyOf(this.allLogits, n);
        }
        if (tokens + count > tokenIds.length) {
            tokenIds = Arrays.copyOf(tokenIds, Math.max(tokenIds.length * 2, tokens + count));
        }
        System.arraycopy(ids, from, tokenIds, tokens, count);
        tables[sequences] = table;
        this.firstPosition[sequences] = firstPosition;
        tokenStart[sequences] = tokens;
        tokenCount[sequences] = count;
        this.allLogits[sequences] = allLogits;
        tokens += count;
        return sequences++;
    }

    /** Adds a sequence with logits for its last token only. */
    public int add(BlockTable table, int firstPosition, int... ids) {
        return add(table, firstPosition, ids, 0, ids.length, false);
    }

    /** Number of sequences. */
    public int sequences() {
        return sequences;
    }

    /** Number of new tokens over all sequences. */
    public int tokens() {
        return tokens;
    }

    /** Token ids of all sequences, one after another; the first {@link #tokens()} entries count. Do not modify. */
    int[] tokenIds() {
        return tokenIds;
    }

    /** Block table of sequence {@code s}. */
    public BlockTable table(int s) {
        return tables[s];
    }

    /** Position of the first new token of sequence {@code s}. */
    public int firstPosition(int s) {
        return firstPosition[s];
    }

    /** Index of sequence {@code s}'s first token among all the batch's tokens. */
    public int tokenStart(int s) {
        return tokenStart[s];
    }

    /** Number of new tokens of sequence {@code s}. */
    public int tokenCount(int s) {
        return tokenCount[s];
    }

    /** Whether sequence {@code s} wants logits for every new token, not just the last. */
    public boolean allLogits(int s) {
        return allLogits[s];
    }

    /** Number of logit rows the batch asks for. */
    public int logitRows() {
        int rows = 0;
        for (int s = 0; s < sequences; s++) {
            rows += allLogits[s] ? tokenCount[s] : 1;
        }
        return rows;
    }
}
