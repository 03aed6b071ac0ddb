/**
 * Matrix products over group-quantized integer weights (GPTQ and AWQ GEMM layouts) read in place from the mapped
 * checkpoint, vectorized with the Vector API. Knows the packed layouts of {@code dev.infer4j.formats.int4} and the
 * CPU worker pool; knows nothing of models.
 */
package dev.infer4j.kernels.cpu.int4;
