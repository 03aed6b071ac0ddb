/**
 * JMH benchmarks of the CPU kernels, each reported next to a memory-bandwidth probe measured in the same run.
 *
 * <p>May depend on every module; nothing depends on it.
 */
package dev.infer4j.bench.jmh;
