package dev.infer4j.kernels.cpu;

import dev.infer4j.kernels.KvLayout;
import dev.infer4j.kernels.KvStorage;
import dev.infer4j.kernels.KvType;

/**
 * One layer's K/V on the heap, slot-major: the key of head {@code h} in slot {@code s} starts at
 * {@code (s * kvHeads + h) * keyLength}. Halves are kept as their bit patterns in {@code short[]}.
 */
final class HeapKvStorage implements KvStorage {
    private final KvLayout layout;
    final short[] keyHalves;
    final short[] valueHalves;
    final float[] keyFloats;
    final float[] valueFloats;

    HeapKvStorage(KvLayout layout) {
        this.layout = layout;
        int keys = layout.slots() * layout.kvHeads() * layout.keyLength();
        int values = layout.slots() * layout.kvHeads() * layout.valueLength();
        boolean half = layout.type() == KvType.F16;
        keyHalves = half ? new short[keys] : null;
        valueHalves = half ? new short[values] : null;
        keyFloats = half ? null : new float[keys];
        valueFloats = half ? null : new float[values];
    }

    @Override
    public KvLayout layout() {
        return layout;
    }

    boolean half() {
        return keyHalves != null;
    }
}
