/**
 * CUDA backend of the kernels SPI, through FFM (driver API and PTX); found by ServiceLoader. Must load and report itself unavailable on machines without a GPU. Depends on kernels-cpu only.
 */
package dev.infer4j.kernels.gpu;
