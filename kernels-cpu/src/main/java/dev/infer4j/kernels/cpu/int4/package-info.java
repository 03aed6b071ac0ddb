/**
 * Matrix products over group-quantized integer weights (GPTQ and AWQ GEMM layouts) read in place from the mapped
 * checkpoint, vectorized with the Vector API. Knows the packed layouts of {@code dev.infer4j.formats.int4} and the
 * CPU worker pool; knows nothing of models.
 *
 * <p>The hot loops exist for 512-bit registers ({@code GroupQuantMatmul}) and for 256-bit ones
 * ({@code GroupQuant256}, {@code AwqOrder256}), picked by {@link dev.infer4j.kernels.cpu.VectorWidth}; each output
 * keeps one lane with the same operations in the same order in both, so they give the same bits
 * ({@code GroupQuantWidthParityTest}).
 */
package dev.infer4j.kernels.cpu.int4;
