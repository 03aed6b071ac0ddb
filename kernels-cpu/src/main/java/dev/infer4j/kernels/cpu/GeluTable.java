package dev.infer4j.kernels.cpu;

/**
 * ggml's GELU: the tanh approximation tabulated at every half-precision input, with half-precision outputs.
 * llama.cpp's CPU backend evaluates GELU this way ({@code GGML_GELU_FP16}); copying it keeps Gemma's FFN within
 * float noise of the reference instead of half-precision noise.
 */
final class GeluTable {
    private static final float SQRT_2_OVER_PI = 0.79788456080286535587989211986876f;
    private static final float COEF_A = 0.044715f;
    private static final float[] TABLE = build();

    private GeluTable() {
    }

    private static float[] build() {
        float[] t = new float[1 << 16];
        for (int i = 0; i < t.length; i++) {
            float x = Float.float16ToFloat((short) i);
            float y = 0.5f * x * (1.0f + (float) StrictMath.tanh(SQRT_2_OVER_PI * x * (1.0f + COEF_A * x * x)));
            t[i] = HalfFloats.roundToHalf(y);
        }
        return t;
    }

    /** GELU of {@code x}: 0 below -10, identity above 10, the table in between. */
    static float gelu(float x) {
        if (x <= -10.0f) {
            return 0.0f;
        }
        if (x >= 10.0f) {
            return x;
        }
        return TABLE[Float.floatToFloat16(x) & 0xffff];
    }
}
