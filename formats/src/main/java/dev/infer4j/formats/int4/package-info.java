/**
 * Group-quantized integer weight layouts of Hugging Face checkpoints: AutoGPTQ's packing ({@code qweight} packed
 * along the input dimension, {@code qzeros} along the output, optional act-order {@code g_idx}) and AutoAWQ's GEMM
 * packing (both packed along the output dimension in nibble order 0,2,4,6,1,3,5,7). {@link
 * dev.infer4j.formats.int4.GroupQuantizedMatrix} describes one such matrix over mapped bytes and unpacks single
 * values; {@link dev.infer4j.formats.int4.GptqPacker} and {@link dev.infer4j.formats.int4.AwqPacker} produce the
 * layouts from float weights as those tools do. Depends only on the JDK.
 */
package dev.infer4j.formats.int4;
