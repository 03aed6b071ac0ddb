/**
 * The transformer engine: scheduler, paged KV cache, model, sampler, detokenizer. Knows no HTTP; contains no SIMD code (that is the kernels SPI's job).
 */
package dev.infer4j.runtime;
