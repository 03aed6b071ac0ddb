package dev.infer4j.kernels.cpu;

import dev.infer4j.kernels.ActivationBuffer;

/** An activation buffer on the Java heap. */
final class HeapBuffer implements ActivationBuffer {
    final float[] array;

    HeapBuffer(int size) {
        this.array = new float[size];
    }

    @Override
    public int size() {
        return array.length;
    }

    @Override
    public String toString() {
        return "HeapBuffer[" + array.length + "]";
    }
}
