/**
 * The memory-bandwidth roofline: how fast this machine streams bytes from memory with the Vector API on all
 * cores, measured in the same process as the benchmark it bounds. Decode reads every weight once per token, so
 * bytes per token divided by this bandwidth is the fastest decode possible.
 */
package dev.infer4j.bench.roofline;
