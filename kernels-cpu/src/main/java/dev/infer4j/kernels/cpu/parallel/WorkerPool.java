package dev.infer4j.kernels.cpu.parallel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed worker pool sized to the cores; the calling thread takes a share of the work instead of waiting.
 *
 * <p>A call hands out chunks of the index range from a shared counter, so a core slowed by another process
 * takes fewer chunks instead of holding everyone back. Idle workers spin for a short while (the step loop
 * issues kernel calls back to back) and then park. Nothing is allocated per call and the ForkJoin common
 * pool is not used.
 *
 * <p>{@link #parallelFor} is meant for one calling thread at a time (the engine's step loop); a second
 * concurrent or nested call is refused with {@link IllegalStateException}.
 */
public final class WorkerPool implements AutoCloseable {

    /** Chunks per thread: enough to even out a slow core, few enough to keep the counter cold. */
    private static final int CHUNKS_PER_THREAD = 4;
    /** How long an idle worker spins before parking. */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();

    // Job description: written by the caller before the volatile write of `generation`, read by workers after
    // their volatile read of it.
    private RangeTask task;
    private int taskCount;
    private int chunkSize;
    private int chunkCount;

    private volatile long generation;
    private volatile boolean closed;
    private volatile Thread waitingCaller;
    private volatile Throwable failure;

    /**
     * Starts {@code threads - 1} daemon worker threads; the caller of {@link #parallelFor} is the last one.
     *
     * @param threads threads including the caller, at least 1
     */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a worker pool needs at least 1 thread, got " + threads);
        }
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** A pool with one thread per available processor. */
    public static WorkerPool ofAvailableCores() {
        return new WorkerPool(Runtime.getRuntime().availableProcessors());
    }

    /** Threads including the caller. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over a split of {@code [0, taskCount)} on all threads and returns when every piece is
     * done. An exception thrown by any piece is rethrown here (after the other pieces finished).
     */
    public void parallelFor(int taskCount, RangeTask task) {
        if (taskCount < 0) {
            throw new IllegalArgumentException("negative task count " + taskCount);
        }
        if (taskCount == 0) {
            return;
        }
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        if (threads == 1 || taskCount == 1) {
            task.run(0, taskCount, 0);
            return;
        }
        if (!busy.compareAndSet(false, true)) {
            throw new IllegalStateException("parallelFor is already running on this pool (nested or concurrent call)");
        }
        try {
            int chunks = Math.min(taskCount, threads * CHUNKS_PER_THREAD);
            this.task = task;
            this.taskCount = taskCount;
            this.chunkSize = (taskCount + chunks - 1) / chunks;
            this.chunkCount = (taskCount + chunkSize - 1) / chunkSize;
            this.failure = null;
            nextChunk.set(0);
            running.set(workers.length);
            generation = generation + 1;
            for (Worker w : workers) {
                if (w.sleeping) {
                    LockSupport.unpark(w);
                }
            }
            Throwable own = null;
            try {
                runChunks(0);
            } catch (Throwable t) {
                own = t;
            }
            awaitWorkers();
            this.task = null;
            Throwable failed = own != null ? own : failure;
            if (failed != null) {
                failure = null;
                throw rethrow(failed);
            }
        } finally {
            busy.set(false);
        }
    }

    private void runChunks(int worker) {
        RangeTask t = task;
        int count = taskCount;
        int size = chunkSize;
        int chunks = chunkCount;
        for (int c = nextChunk.getAndIncrement(); c < chunks; c = nextChunk.getAndIncrement()) {
            int start = c * size;
            t.run(start, Math.min(count, start + size), worker);
        }
    }

    private void awaitWorkers() {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        int spins = 0;
        while (running.get() != 0) {
            if (++spins < 64 || System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                waitingCaller = Thread.currentThread();
                if (running.get() != 0) {
                    LockSupport.parkNanos(this, 100_000);
                }
                waitingCaller = null;
            }
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("worker task failed", t);
    }

    /** Stops the worker threads; the pool cannot be used afterwards. */
    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
        for (Worker w : workers) {
            try {
                w.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private final class Worker extends Thread {
        private final int index;
        volatile boolean sleeping;

        Worker(int index) {
            super("infer4j-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long g = awaitJob(seen);
                if (g < 0) {
                    return;
                }
                seen = g;
                try {
                    runChunks(index);
                } catch (Throwable t) {
                    failure = t;
                }
                if (running.decrementAndGet() == 0) {
                    Thread caller = waitingCaller;
                    if (caller != null) {
                        LockSupport.unpark(caller);
                    }
                }
            }
        }

        /** The new generation, or -1 when the pool closed. */
        private long awaitJob(long seen) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            while (true) {
                long g = generation;
                if (g != seen) {
                    return g;
                }
                if (closed) {
                    return -1;
                }
                if (++spins < 64 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                // Dekker-style handshake: the caller bumps generation then reads `sleeping`; we set `sleeping` then
                // re-read generation, so one of the two sees the other and no wake-up is lost.
                sleeping = true;
                if (generation == seen && !closed) {
                    LockSupport.park(this);
                }
                sleeping = false;
                spinUntil = System.nanoTime() + SPIN_NANOS;
                spins = 0;
            }
        }
    }
}
