package dev.infer4j.formats.int4;

/** How a group-quantized matrix's integers are packed into 32-bit words. */
public enum PackedLayout {
    /**
     * AutoGPTQ: {@code qweight[in / (32/bits)][out]}, word {@code (p, o)} holding inputs
     * {@code p*(32/bits) + j} of output {@code o} at bit {@code bits*j}; {@code qzeros[groups][out / (32/bits)]}
     * packed the same way along the output; {@code scales[groups][out]}; {@code g_idx[in]} the group of each input.
     */
    GPTQ,
    /**
     * AutoAWQ GEMM: {@code qweight[in][out / 8]}, word {@code (i, w)} holding outputs {@code 8w + ORDER[j]} of input
     * {@code i} at bit {@code 4j} with {@code ORDER = 0,2,4,6,1,3,5,7}; {@code qzeros[groups][out / 8]} packed the
     * same way; {@code scales[groups][out]}; groups are consecutive runs of inputs.
     */
    AWQ_GEMM;

    /** AutoAWQ's nibble order: nibble {@code j} of a word holds output {@code 8w + AWQ_ORDER[j]}. */
    static final int[] AWQ_ORDER = {0, 2, 4, 6, 1, 3, 5, 7};
    /** The inverse: output {@code 8w + k} sits in nibble {@code AWQ_NIBBLE_OF[k]}. */
    static final int[] AWQ_NIBBLE_OF = {0, 4, 1, 5, 2, 6, 3, 7};

    /** The nibble of an AWQ word that holds output {@code 8w + k}. */
    public static int awqNibbleOf(int k) {
        return AWQ_NIBBLE_OF[k];
    }

    /** The output offset {@code k} (of {@code 8w + k}) that nibble {@code nibble} of an AWQ word holds. */
    public static int awqOutputOf(int nibble) {
        return AWQ_ORDER[nibble];
    }
}
