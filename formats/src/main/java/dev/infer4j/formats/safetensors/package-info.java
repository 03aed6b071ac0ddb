/**
 * Hugging Face safetensors: a reader that maps single or sharded checkpoints with FFM and exposes tensors in
 * place, and a writer. Depends only on the JDK and Jackson.
 */
package dev.infer4j.formats.safetensors;
