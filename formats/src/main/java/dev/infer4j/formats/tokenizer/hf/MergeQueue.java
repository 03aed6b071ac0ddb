package dev.infer4j.formats.tokenizer.hf;

/**
 * Min-heap of pending BPE merges ordered by (rank, position), carrying the id the merge produces; Hugging Face's
 * {@code BinaryHeap<Merge>} with the same order.
 */
final class MergeQueue {
    private long[] keys;
    private int[] newIds;
    private int size;

    MergeQueue(int capacity) {
        keys = new long[Math.max(4, capacity)];
        newIds = new int[keys.length];
    }

    boolean isEmpty() {
        return size == 0;
    }

    void push(int rank, int pos, int newId) {
        if (size == keys.length) {
            keys = java.util.Arrays.copyOf(keys, size * 2);
            newIds = java.util.Arrays.copyOf(newIds, size * 2);
        }
        long key = ((long) rank << 32) | pos;
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            keys[i] = keys[parent];
            newIds[i] = newIds[parent];
            i = parent;
        }
        keys[i] = key;
        newIds[i] = newId;
    }

    /** Position of the top entry. */
    int topPos() {
        return (int) keys[0];
    }

    /** New id of the top entry. */
    int topNewId() {
        return newIds[0];
    }

    void pop() {
        size--;
        if (size == 0) {
            return;
        }
        long key = keys[size];
        int id = newIds[size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && keys[child + 1] < keys[child]) {
                child++;
            }
            if (keys[child] >= key) {
                break;
            }
            keys[i] = keys[child];
            newIds[i] = newIds[child];
            i = child;
        }
        keys[i] = key;
        newIds[i] = id;
    }
}
