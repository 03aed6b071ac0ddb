package dev.infer4j.kernels.cpu.parallel;

/**
 * A piece of work over a contiguous index range, run by {@link WorkerPool#parallelFor}.
 *
 * <p>One call of {@code parallelFor} may call {@link #run} several times on the same worker with disjoint
 * ranges; together the ranges cover {@code [0, taskCount)} exactly once.
 */
@FunctionalInterface
public interface RangeTask {

    /**
     * Does the work for indices {@code [start, end)}.
     *
     * @param worker the index of the thread running this piece, in {@code [0, pool.threads())}; the calling
     *               thread is worker 0. Two pieces with the same worker index never run at the same time, so
     *               it may pick a per-worker scratch buffer.
     */
    void run(int start, int end, int worker);
}
