package dev.infer4j.runtime.kv;

import dev.infer4j.kernels.KvType;

/**
 * How large a KV cache to make and how to store it.
 *
 * @param blocks    number of blocks in the pool
 * @param blockSize positions per block
 * @param type      element type of stored K and V
 */
public record KvCacheSpec(int blocks, int blockSize, KvType type) {
    /** Validates the sizes. */
    public KvCacheSpec {
        if (blocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("blocks and blockSize must be positive, got " + blocks + ", " + blockSize);
        }
        java.util.Objects.requireNonNull(type, "type");
    }

    /** {@code blocks} blocks of {@link KvCache#DEFAULT_BLOCK_SIZE} positions in half precision (llama.cpp's default). */
    public static KvCacheSpec ofBlocks(int blocks) {
        return new KvCacheSpec(blocks, KvCache.DEFAULT_BLOCK_SIZE, KvType.F16);
    }

    /** Enough half-precision blocks of the default size for {@code positions} positions. */
    public static KvCacheSpec forPositions(int positions) {
        return ofBlocks((positions + KvCache.DEFAULT_BLOCK_SIZE - 1) / KvCache.DEFAULT_BLOCK_SIZE);
    }

    /** The same size with another storage type. */
    public KvCacheSpec withType(KvType newType) {
        return new KvCacheSpec(blocks, blockSize, newType);
    }
}
