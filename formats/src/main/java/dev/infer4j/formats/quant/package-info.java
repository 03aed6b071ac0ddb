/**
 * ggml's quantized block formats: dequantization of every weight type llama.cpp writes, quantization from F32
 * bit-identical to ggml's reference quantizers (the {@code quantize_row_*_ref} routines {@code llama-quantize}
 * uses without an importance matrix, and the Q8_0 / Q8_1 / Q8_K activation formats), and a whole-model
 * quantizer following llama.cpp's per-tensor type rules.
 *
 * <p>Depends only on the JDK and {@link dev.infer4j.formats.gguf}. Scalar code only: the SIMD kernels that
 * multiply these blocks live in {@code kernels-cpu}; this package is their reference and the file tools' engine.
 */
package dev.infer4j.formats.quant;
