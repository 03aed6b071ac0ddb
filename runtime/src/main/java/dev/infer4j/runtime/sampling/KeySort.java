package dev.infer4j.runtime.sampling;

/**
 * In-place sorting and top-k selection on {@code long} keys (see {@link PackedKeys}), allocation-free.
 * Selection keeps a bounded max-heap, so finding the best k of n costs about n comparisons when k is small:
 * a 128k vocabulary is one pass, not a sort.
 */
final class KeySort {

    private static final int INSERTION_SORT_MAX = 24;

    private KeySort() {
    }

    /** Sorts {@code a[from, to)} ascending (introsort: quicksort, heapsort when too deep, insertion at the leaves). */
    static void sort(long[] a, int from, int to) {
        int n = to - from;
        if (n < 2) {
            return;
        }
        introsort(a, from, to, 2 * (31 - Integer.numberOfLeadingZeros(n)));
    }

    /**
     * Reorders {@code a[from, to)} so that its first {@code k} positions hold its {@code k} smallest keys in
     * ascending order (quickselect, then a sort of those {@code k}); the rest stay in arbitrary order. Linear
     * on average, for when {@code k} is too large for a heap to pay.
     */
    static void selectSmallestInPlace(long[] a, int from, int to, int k) {
        if (k <= 0) {
            return;
        }
        int target = from + k;
        if (target >= to) {
            sort(a, from, to);
            return;
        }
        int lo = from;
        int hi = to;
        int depth = 2 * (31 - Integer.numberOfLeadingZeros(to - from));
        while (hi - lo > INSERTION_SORT_MAX) {
            if (depth-- == 0) {
                sort(a, lo, hi);
                break;
            }
            int j = partition(a, lo, hi);
            if (target <= j + 1) {
                hi = j + 1;
            } else {
                lo = j + 1;
            }
        }
        if (hi - lo <= INSERTION_SORT_MAX) {
            insertionSort(a, lo, hi);
        }
        sort(a, from, target);
    }

    /**
     * Writes the keys of the {@code k} largest finite-or-{@code +inf} values of {@code values[offset, offset +
     * count)} (logit descending, id ascending; ids relative to {@code offset}) to {@code dst} in key order and
     * returns how many there were. Values that are {@code -Infinity} or NaN are skipped.
     */
    static int selectTopLogits(float[] values, int offset, int count, int k, long[] dst) {
        int m = 0;
        int i = 0;
        for (; i < count && m < k; i++) {
            float v = values[offset + i];
            if (v > Float.NEGATIVE_INFINITY) {
                dst[m++] = PackedKeys.byLogitDescending(v, i);
            }
        }
        if (m == 0) {
            return 0;
        }
        for (int j = (m >>> 1) - 1; j >= 0; j--) {
            siftDown(dst, 0, j, m);
        }
        // the root is the worst kept token; later ids lose ties, so only a strictly larger value gets in
        float bound = values[offset + PackedKeys.id(dst[0])];
        for (; i < count; i++) {
            float v = values[offset + i];
            if (v > bound) {
                dst[0] = PackedKeys.byLogitDescending(v, i);
                siftDown(dst, 0, 0, m);
                bound = values[offset + PackedKeys.id(dst[0])];
            }
        }
        sortHeap(dst, 0, m);
        return m;
    }

    private static void introsort(long[] a, int lo, int hi, int depth) {
        while (hi - lo > INSERTION_SORT_MAX) {
            if (depth-- == 0) {
                heapSort(a, lo, hi);
                return;
            }
            int j = partition(a, lo, hi);
            // a[lo, j] <= pivot <= a[j + 1, hi); recurse into the smaller side to bound the stack
            if (j + 1 - lo < hi - j - 1) {
                introsort(a, lo, j + 1, depth);
                lo = j + 1;
            } else {
                introsort(a, j + 1, hi, depth);
                hi = j + 1;
            }
        }
        insertionSort(a, lo, hi);
    }

    /**
     * Hoare partition of {@code a[lo, hi)} (at least 3 keys) around the median of its first, middle and last
     * keys; returns {@code j} with {@code a[lo, j] <= pivot <= a[j + 1, hi)} and both parts non-empty.
     */
    private static int partition(long[] a, int lo, int hi) {
        int mid = (lo + hi) >>> 1;
        // order a[lo] <= a[mid] <= a[hi-1] so that both scans below stop inside the range
        if (a[mid] < a[lo]) swap(a, mid, lo);
        if (a[hi - 1] < a[lo]) swap(a, hi - 1, lo);
        if (a[hi - 1] < a[mid]) swap(a, hi - 1, mid);
        long pivot = a[mid];
        int i = lo;
        int j = hi - 1;
        while (true) {
            do {
                i++;
            } while (a[i] < pivot);
            do {
                j--;
            } while (a[j] > pivot);
            if (i >= j) {
                return j;
            }
            swap(a, i, j);
        }
    }

    private static void insertionSort(long[] a, int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            long key = a[i];
            int j = i - 1;
            while (j >= lo && a[j] > key) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = key;
        }
    }

    private static void heapSort(long[] a, int lo, int hi) {
        int n = hi - lo;
        for (int i = (n >>> 1) - 1; i >= 0; i--) {
            siftDown(a, lo, i, n);
        }
        sortHeap(a, lo, n);
    }

    /** Turns the max-heap {@code a[base, base + n)} into ascending order. */
    private static void sortHeap(long[] a, int base, int n) {
        for (int end = n - 1; end > 0; end--) {
            swap(a, base, base + end);
            siftDown(a, base, 0, end);
        }
    }

    /** Max-heap sift-down of node {@code i} in the heap {@code a[base, base + n)}. */
    private static void siftDown(long[] a, int base, int i, int n) {
        long key = a[base + i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && a[base + child + 1] > a[base + child]) {
                child++;
            }
            if (a[base + child] <= key) {
                break;
            }
            a[base + i] = a[base + child];
            i = child;
        }
        a[base + i] = key;
    }

    private static void swap(long[] a, int i, int j) {
        long t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
