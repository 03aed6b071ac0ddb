/**
 * GGUF, llama.cpp's model file format: a reader that maps the file and exposes tensors in place, and a writer.
 *
 * <p>Depends only on the JDK. Knows nothing of models or quantized arithmetic beyond block geometry
 * ({@link dev.infer4j.formats.gguf.GgmlType}).
 */
package dev.infer4j.formats.gguf;
