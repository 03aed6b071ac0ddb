package dev.infer4j.runtime.sampling;

/**
 * Packs a float score and a token id into one {@code long} whose natural order is the order the sampler needs,
 * so that candidate lists are primitive arrays sorted without comparators or boxing, and ties always break the
 * same way (lowest id first).
 */
final class PackedKeys {

    private PackedKeys() {
    }

    /** Ascending key order = logit descending, then id ascending. {@code -0.0} counts as {@code 0.0}. */
    static long byLogitDescending(float logit, int id) {
        return ((long) ~orderedBits(logit) << 32) | (id & 0xffffffffL);
    }

    /** Ascending key order = value ascending, then id ascending. */
    static long byValueAscending(float value, int id) {
        return ((long) orderedBits(value) << 32) | (id & 0xffffffffL);
    }

    /** The token id stored in a key. */
    static int id(long key) {
        return (int) key;
    }

    /** An int whose signed order is the float order (for non-NaN values), with both zeros equal. */
    private static int orderedBits(float value) {
        int bits = Float.floatToRawIntBits(value + 0.0f);
        return bits ^ ((bits >> 31) & 0x7fffffff);
    }
}
