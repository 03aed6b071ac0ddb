package dev.infer4j.kernels.cpu.parallel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyIndexRunsExactlyOnceOnAValidWorker() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int count : new int[] {1, 2, 3, 7, 12, 100, 1001}) {
                for (int repeat = 0; repeat < 50; repeat++) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(count);
                    AtomicIntegerArray workers = new AtomicIntegerArray(pool.threads());
                    pool.parallelFor(count, (start, end, worker) -> {
                        assertTrue(start < end, "empty range " + start + ".." + end);
                        workers.incrementAndGet(worker);
                        for (int i = start; i < end; i++) {
                            hits.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < count; i++) {
                        assertEquals(1, hits.get(i), "index " + i + " of " + count);
                    }
                }
            }
        }
    }

    @Test
    void callerTakesPartOfTheWork() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray byWorker = new AtomicIntegerArray(2);
            Thread caller = Thread.currentThread();
            pool.parallelFor(64, (start, end, worker) -> {
                if (worker == 0) {
                    assertSame(caller, Thread.currentThread(), "worker 0 is the calling thread");
                }
                byWorker.addAndGet(worker, end - start);
            });
            assertEquals(64, byWorker.get(0) + byWorker.get(1));
        }
    }

    @Test
    void aFailureInAnyPieceReachesTheCallerAndThePoolStaysUsable() {
        try (WorkerPool pool = new WorkerPool(2)) {
            for (int repeat = 0; repeat < 20; repeat++) {
                int failing = repeat % 8;
                var e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(8, (start, end, worker) -> {
                    if (start <= failing && failing < end) {
                        throw new IllegalStateException("piece " + failing);
                    }
                }));
                assertEquals("piece " + failing, e.getMessage());
            }
            AtomicIntegerArray hits = new AtomicIntegerArray(1);
            pool.parallelFor(4, (start, end, worker) -> hits.addAndGet(0, end - start));
            assertEquals(4, hits.get(0));
        }
    }

    @Test
    void nestedCallsAreRefused() {
        try (WorkerPool pool = new WorkerPool(2)) {
            var e = assertThrows(IllegalStateException.class,
                    () -> pool.parallelFor(4, (s, t, w) -> pool.parallelFor(4, (a, b, c) -> { })));
            assertTrue(e.getMessage().contains("already running"), e.getMessage());
        }
    }

    @Test
    void oneThreadRunsEverythingInline() {
        try (WorkerPool pool = new WorkerPool(1)) {
            int[] calls = new int[1];
            pool.parallelFor(10, (start, end, worker) -> {
                assertEquals(0, start);
                assertEquals(10, end);
                assertEquals(0, worker);
                calls[0]++;
            });
            assertEquals(1, calls[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
    }

    @Test
    void aClosedPoolRefusesWork() {
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.parallelFor(2, (s, e, w) -> { }));
    }
}
