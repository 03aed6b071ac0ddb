package dev.infer4j.runtime.kv;

/** No KV cache block is free. The scheduler avoids this by checking {@link BlockPool#freeBlocks()} first. */
public final class KvCacheFullException extends RuntimeException {
    /** @param message what was being allocated */
    public KvCacheFullException(String message) {
        super(message);
    }
}
