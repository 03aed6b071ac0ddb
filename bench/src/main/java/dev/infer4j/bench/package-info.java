/**
 * Benchmarks: JMH kernel benchmarks, the OpenAI load generator, and the memory-bandwidth roofline probe.
 * May depend on every other module; nothing depends on it.
 */
package dev.infer4j.bench;
