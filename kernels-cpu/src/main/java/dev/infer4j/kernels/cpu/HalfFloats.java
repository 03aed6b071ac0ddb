package dev.infer4j.kernels.cpu;

/** Half-precision rounding as ggml does it (round to nearest, ties to even). */
final class HalfFloats {
    private HalfFloats() {
    }

    /** {@code x} rounded to the nearest half and widened back. */
    static float roundToHalf(float x) {
        return Float.float16ToFloat(Float.floatToFloat16(x));
    }
}
