package dev.infer4j.formats.quant;

/**
 * The two 16-bit float formats of ggml, converted exactly as ggml converts them.
 *
 * <p>F16 is IEEE binary16 rounded to nearest even (ggml's {@code GGML_FP32_TO_FP16}); ggml turns every NaN
 * into the quiet NaN {@code 0x7E00} with the input's sign. BF16 is the top half of a float rounded to nearest
 * even (ggml's {@code ggml_compute_fp32_to_bf16}, subnormals kept); a NaN keeps its top bits and is made quiet.
 */
public final class HalfPrecision {
    private HalfPrecision() {
    }

    /** Rounds a float to the bits of an IEEE half. */
    public static short toF16(float f) {
        if (Float.isNaN(f)) {
            return (short) (((Float.floatToRawIntBits(f) >>> 16) & 0x8000) | 0x7E00);
        }
        return Float.floatToFloat16(f);
    }

    /** Widens the bits of an IEEE half to float (exact). */
    public static float fromF16(short bits) {
        return Float.float16ToFloat(bits);
    }

    /** Rounds a float to the bits of a bfloat16. */
    public static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 64);
        }
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    /** Widens the bits of a bfloat16 to float (exact). */
    public static float fromBf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
