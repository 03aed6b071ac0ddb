/**
 * LoRA fine-tuning (SFT) and DPO alignment on the runtime's model and the kernels SPI, writing adapters the runtime loads.
 */
package dev.infer4j.training;
