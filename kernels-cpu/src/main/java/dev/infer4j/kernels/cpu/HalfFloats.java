package dev.infer4j.kernels.cpu;

/** Half and bfloat16 conversions with the rounding ggml uses (round to nearest, ties to even). */
final class HalfFloats {
    private HalfFloats() {
    }

    /** {@code x} rounded to the nearest half and widened back. */
    static float roundToHalf(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }

    /** bfloat16 bits of {@code x}, rounded to nearest even as ggml's {@code GGML_FP32_TO_BF16} does. */
    static short toBfloat16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64); // quiet NaN
        }
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    /** The float a bfloat16 bit pattern stands for. */
    static float fromBfloat16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** {@code x} rounded to bfloat16 and widened back. */
    static float roundToBfloat16(float x) {
        return fromBfloat16(toBfloat16(x));
    }
}
