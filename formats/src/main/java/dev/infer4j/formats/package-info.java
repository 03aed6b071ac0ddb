/**
 * Model file formats: GGUF and safetensors readers and writers, the quantized block layouts and the tokenizers.
 *
 * <p>This module is the ground floor: it depends on nothing but Jackson, and nothing in it knows about
 * kernels, models or HTTP.
 */
package dev.infer4j.formats;
