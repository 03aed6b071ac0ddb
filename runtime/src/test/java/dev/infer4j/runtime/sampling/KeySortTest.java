package dev.infer4j.runtime.sampling;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KeySortTest {

    @Test
    void sortAgreesWithArraysSortOnRandomPatternedAndDuplicateInputs() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int n : new int[] {0, 1, 2, 3, 5, 24, 25, 26, 100, 1000, 4097, 30000}) {
            for (int pattern = 0; pattern < 6; pattern++) {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = switch (pattern) {
                        case 0 -> rnd.nextLong();
                        case 1 -> i;                 // ascending
                        case 2 -> n - i;             // descending
                        case 3 -> 7;                 // all equal
                        case 4 -> rnd.nextInt(4);    // few distinct values
                        default -> i % 2 == 0 ? i : -i; // organ-pipe-ish
                    };
                }
                long[] expected = a.clone();
                Arrays.sort(expected);
                long[] padded = new long[n + 4];
                System.arraycopy(a, 0, padded, 2, n);
                padded[0] = padded[1] = padded[n + 2] = padded[n + 3] = Long.MIN_VALUE + 5;
                KeySort.sort(padded, 2, n + 2);
                assertArrayEquals(expected, Arrays.copyOfRange(padded, 2, n + 2), "n=" + n + " pattern=" + pattern);
                assertEquals(Long.MIN_VALUE + 5, padded[0], "sort wrote before its range");
                assertEquals(Long.MIN_VALUE + 5, padded[n + 3], "sort wrote after its range");
            }
        }
    }

    @Test
    void selectSmallestInPlaceLeavesTheSortedSmallestKeysFirstAndKeepsTheRest() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int n : new int[] {1, 7, 30, 300, 5000, 40000}) {
            for (int pattern = 0; pattern < 3; pattern++) {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = pattern == 0 ? rnd.nextLong() : pattern == 1 ? rnd.nextInt(5) : n - i;
                }
                long[] sorted = a.clone();
                Arrays.sort(sorted);
                for (int k : new int[] {0, 1, 2, 25, 600, n - 1, n, n + 3}) {
                    long[] b = a.clone();
                    KeySort.selectSmallestInPlace(b, 0, n, k);
                    int m = Math.max(0, Math.min(k, n));
                    String where = "n=" + n + " pattern=" + pattern + " k=" + k;
                    assertArrayEquals(Arrays.copyOf(sorted, m), Arrays.copyOf(b, m), where);
                    long[] all = b.clone();
                    Arrays.sort(all);
                    assertArrayEquals(sorted, all, where + ": keys were lost or duplicated");
                }
            }
        }
    }

    @Test
    void topLogitsAreByLogitDescendingThenIdAndSkipMaskedValues() {
        float[] row = {1f, 3f, Float.NEGATIVE_INFINITY, 3f, Float.NaN, -0.0f, 0.0f, 2f};
        long[] dst = new long[8];
        int m = KeySort.selectTopLogits(row, 0, row.length, 8, dst);
        int[] ids = new int[m];
        for (int i = 0; i < m; i++) {
            ids[i] = PackedKeys.id(dst[i]);
        }
        // 3 (id 1), 3 (id 3), 2, 1, then -0.0 and 0.0 count as equal: lowest id first
        assertArrayEquals(new int[] {1, 3, 7, 0, 5, 6}, ids, "order of the top logits");
    }

    @Test
    void topLogitsMatchABruteForceRankingOnRandomRows() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int trial = 0; trial < 50; trial++) {
            int n = 1 + rnd.nextInt(3000);
            int offset = rnd.nextInt(5);
            float[] row = new float[offset + n];
            for (int i = 0; i < row.length; i++) {
                // coarse values so ties are frequent
                row[i] = rnd.nextInt(10) == 0 ? Float.NEGATIVE_INFINITY : (float) rnd.nextInt(50) / 4;
            }
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (row[offset + i] > Float.NEGATIVE_INFINITY) {
                    ids.add(i);
                }
            }
            ids.sort(Comparator.<Integer>comparingDouble(i -> -row[offset + i]).thenComparingInt(i -> i));
            int k = 1 + rnd.nextInt(60);
            long[] dst = new long[k];
            int m = KeySort.selectTopLogits(row, offset, n, k, dst);
            assertEquals(Math.min(k, ids.size()), m, "trial " + trial);
            for (int i = 0; i < m; i++) {
                assertEquals(ids.get(i), PackedKeys.id(dst[i]), "trial " + trial + " rank " + i);
            }
        }
    }

    @Test
    void packedKeysOrderFollowsTheirValues() {
        float[] values = {Float.NEGATIVE_INFINITY, -1e30f, -2.5f, -Float.MIN_VALUE, 0f, Float.MIN_VALUE, 1f,
                3e38f, Float.POSITIVE_INFINITY};
        for (int i = 1; i < values.length; i++) {
            assertTrue(PackedKeys.byValueAscending(values[i - 1], 9) < PackedKeys.byValueAscending(values[i], 9),
                    values[i - 1] + " should order before " + values[i]);
            assertTrue(PackedKeys.byLogitDescending(values[i], 9) < PackedKeys.byLogitDescending(values[i - 1], 9),
                    values[i] + " should order before " + values[i - 1] + " by logit descending");
        }
        assertEquals(PackedKeys.byLogitDescending(0.0f, 4), PackedKeys.byLogitDescending(-0.0f, 4),
                "signed zeros must be equal");
        assertEquals(123456, PackedKeys.id(PackedKeys.byLogitDescending(-7f, 123456)));
    }
}
