package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;

/** A tensor type that this package cannot convert to or from floats (an IQ2/IQ3/IQ1/TQ type, MXFP4, integers). */
public final class UnsupportedTypeException extends IllegalArgumentException {
    private final GgmlType type;

    /** @param action what was refused, e.g. "dequantize" */
    public UnsupportedTypeException(GgmlType type, String action) {
        super("cannot " + action + " tensors of type " + type + "; supported: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, "
                + "Q8_0, Q8_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q8_K, IQ4_NL");
        this.type = type;
    }

    /** The refused type. */
    public GgmlType type() {
        return type;
    }
}
