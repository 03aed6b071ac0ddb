package dev.infer4j.runtime.model;

import java.util.Arrays;

/**
 * The logits of one forward pass: one row of {@link #vocabSize()} floats per requested position, sequences in batch
 * order (each sequence's rows in token order). Owned by the {@link Model} and overwritten by its next forward pass.
 */
public final class Logits {
    private final int vocabSize;
    private float[] data = new float[0];
    private int[] firstRow = new int[4];
    private int rows;

    Logits(int vocabSize) {
        this.vocabSize = vocabSize;
    }

    void reset(Batch batch) {
        rows = batch.logitRows();
        if (data.length < rows * vocabSize) {
            data = new float[rows * vocabSize];
        }
        if (firstRow.length < batch.sequences()) {
            firstRow = Arrays.copyOf(firstRow, Math.max(batch.sequences(), firstRow.length * 2));
        }
        int row = 0;
        for (int s = 0; s < batch.sequences(); s++) {
            firstRow[s] = row;
            row += batch.allLogits(s) ? batch.tokenCount(s) : 1;
        }
    }

    float[] data() {
        return data;
    }

    /** Floats per row. */
    public int vocabSize() {
        return vocabSize;
    }

    /** Number of rows. */
    public int rows() {
        return rows;
    }

    /** The first row of batch sequence {@code s} (its only row unless it asked for all). */
    public int firstRow(int s) {
        return firstRow[s];
    }

    /** The logit of {@code token} in row {@code row}. */
    public float get(int row, int token) {
        return data[offset(row) + token];
    }

    /** Copies row {@code row} into {@code dst} at {@code dstOffset}. */
    public void copyRow(int row, float[] dst, int dstOffset) {
        System.arraycopy(data, offset(row), dst, dstOffset, vocabSize);
    }

    /** The token with the largest logit in row {@code row}, the lowest id among equals (llama.cpp's greedy pick). */
    public int argmax(int row) {
        int base = offset(row);
        int best = 0;
        for (int i = 1; i < vocabSize; i++) {
            if (data[base + i] > data[base + best]) {
                best = i;
            }
        }
        return best;
    }

    private int offset(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("logit row " + row + " of " + rows);
        }
        return row * vocabSize;
    }
}
