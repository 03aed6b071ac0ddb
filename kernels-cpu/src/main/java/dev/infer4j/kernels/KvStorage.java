package dev.infer4j.kernels;

/**
 * One layer's paged K/V storage, owned by the backend that allocated it ({@link Kernels#allocateKv}). The runtime
 * decides which slots a sequence uses; the backend only stores and reads them.
 */
public interface KvStorage {
    /** The shape this storage was allocated with. */
    KvLayout layout();
}
