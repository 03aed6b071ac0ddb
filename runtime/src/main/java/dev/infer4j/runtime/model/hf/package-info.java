/**
 * Loading a {@link dev.infer4j.runtime.model.Model} from a Hugging Face model directory: {@code config.json}
 * becomes a {@link dev.infer4j.runtime.model.ModelConfig}, safetensors tensors (float, GPTQ or AWQ) become kernel
 * weights read in place, and the tokenizer comes from {@code tokenizer.json}. Uses {@code formats} and the kernels
 * SPI; no SIMD code and nothing of the engine or the server.
 */
package dev.infer4j.runtime.model.hf;
