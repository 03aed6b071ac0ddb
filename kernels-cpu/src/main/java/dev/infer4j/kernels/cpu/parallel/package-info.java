/**
 * The fixed worker pool that spreads one kernel call over the cores.
 *
 * <p>Depends only on the JDK. Knows nothing of tensors or models: it splits an index range and runs a
 * {@link dev.infer4j.kernels.cpu.parallel.RangeTask} over the pieces.
 */
package dev.infer4j.kernels.cpu.parallel;
