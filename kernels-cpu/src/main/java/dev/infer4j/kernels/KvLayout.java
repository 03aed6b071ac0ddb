package dev.infer4j.kernels;

/**
 * The shape of one layer's paged K/V storage.
 *
 * <p>Storage is divided into {@code blocks} blocks of {@code blockSize} token positions; a position's slot is
 * {@code blockId * blockSize + position % blockSize}. Each slot holds a key of {@code keyLength} values and a
 * value of {@code valueLength} values for each of the {@code kvHeads} heads.
 *
 * @param blocks      number of blocks
 * @param blockSize   token positions per block
 * @param kvHeads     number of K/V heads
 * @param keyLength   values per key head
 * @param valueLength values per value head
 * @param type        element type of the stored values
 */
public record KvLayout(int blocks, int blockSize, int kvHeads, int keyLength, int valueLength, KvType type) {
    /** Checks the dimensions. */
    public KvLayout {
        if (blocks <= 0 || blockSize <= 0 || kvHeads <= 0 || keyLength <= 0 || valueLength <= 0) {
            throw new IllegalArgumentException("every KV dimension must be positive: blocks=" + blocks + " blockSize="
                    + blockSize + " kvHeads=" + kvHeads + " keyLength=" + keyLength + " valueLength=" + valueLength);
        }
        if ((long) blocks * blockSize * kvHeads * Math.max(keyLength, valueLength) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("KV storage of " + blocks + " blocks is too large for one layer");
        }
        java.util.Objects.requireNonNull(type, "type");
    }

    /** Number of token slots. */
    public int slots() {
        return blocks * blockSize;
    }
}
