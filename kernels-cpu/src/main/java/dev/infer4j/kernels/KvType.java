package dev.infer4j.kernels;

/** How K and V values are stored in the cache. */
public enum KvType {
    /** Half precision: values are rounded to the nearest half when stored, as llama.cpp does by default. */
    F16,
    /** Single precision: values are kept exactly. */
    F32
}
