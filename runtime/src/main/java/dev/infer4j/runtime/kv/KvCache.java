package dev.infer4j.runtime.kv;

import dev.infer4j.kernels.Kernels;
import dev.infer4j.kernels.KvLayout;
import dev.infer4j.kernels.KvStorage;

import java.util.ArrayList;
import java.util.List;

/**
 * A model's paged KV cache: one block pool, and for each layer the backend storage that block ids index.
 * One block id names the same positions of K and V for every K/V head in every layer.
 */
public final class KvCache {
    /** Positions per block unless configured otherwise. */
    public static final int DEFAULT_BLOCK_SIZE = 16;

    private final KvLayout layout;
    private final BlockPool pool;
    private final List<KvStorage> layers;

    /**
     * Allocates storage for {@code layerCount} layers of the given layout.
     *
     * @param kernels    the backend that owns the storage
     * @param layerCount number of transformer layers
     * @param layout     shape of each layer's storage (block count, block size, heads, lengths, type)
     */
    public KvCache(Kernels kernels, int layerCount, KvLayout layout) {
        this.layout = layout;
        this.pool = new BlockPool(layout.blocks());
        List<KvStorage> storage = new ArrayList<>(layerCount);
        for (int l = 0; l < layerCount; l++) {
            storage.add(kernels.allocateKv(layout));
        }
        this.layers = List.copyOf(storage);
    }

    /** The shape of each layer's storage. */
    public KvLayout layout() {
        return layout;
    }

    /** Positions per block. */
    public int blockSize() {
        return layout.blockSize();
    }

    /** The pool every sequence's blocks come from. */
    public BlockPool pool() {
        return pool;
    }

    /** A new empty block table for this cache's block size. */
    public BlockTable newTable() {
        return new BlockTable(layout.blockSize());
    }

    /** Layer {@code l}'s storage. */
    public KvStorage layer(int l) {
        return layers.get(l);
    }
}
