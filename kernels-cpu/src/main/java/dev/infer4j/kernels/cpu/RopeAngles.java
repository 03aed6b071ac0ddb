package dev.infer4j.kernels.cpu;

import dev.infer4j.kernels.Rope;

/**
 * The cos/sin pairs of one position, computed as ggml's {@code ggml_rope_cache_init} does: the angle starts at the
 * position and is multiplied by {@code base^(-2/dims)} pair after pair in float, so the rounding matches.
 */
final class RopeAngles {
    private RopeAngles() {
    }

    /** Fills {@code cache[2i] = cos, cache[2i+1] = sin} for each of the {@code dims/2} pairs at {@code position}. */
    static void compute(Rope rope, int position, float[] cache) {
        int dims = rope.dims();
        float thetaScale = (float) Math.pow(rope.base(), -2.0f / dims);
        float corrLow = 0f;
        float corrHigh = 0f;
        if (rope.extFactor() != 0f) {
            corrLow = Math.max(0f, (float) Math.floor(corrDim(dims, rope.originalContext(), rope.betaFast(), rope.base())));
            corrHigh = Math.min(dims - 1, (float) Math.ceil(corrDim(dims, rope.originalContext(), rope.betaSlow(), rope.base())));
        }
        float theta = position;
        for (int i0 = 0; i0 < dims; i0 += 2) {
            float ff = rope.freqFactor(i0 / 2);
            float extrapolated = theta / ff;
            float interpolated = rope.freqScale() * extrapolated;
            float angle = interpolated;
            float magnitude = rope.attnFactor();
            if (rope.extFactor() != 0f) {
                float rampMix = ramp(corrLow, corrHigh, i0) * rope.extFactor();
                angle = interpolated * (1 - rampMix) + extrapolated * rampMix;
                magnitude *= 1.0f + 0.1f * (float) Math.log(1.0f / rope.freqScale());
            }
            cache[i0] = (float) Math.cos(angle) * magnitude;
            cache[i0 + 1] = (float) Math.sin(angle) * magnitude;
            theta *= thetaScale;
        }
    }

    private static float corrDim(int dims, int originalContext, float rotations, float base) {
        return dims * (float) Math.log(originalContext / (rotations * 2 * (float) Math.PI)) / (2 * (float) Math.log(base));
    }

    private static float ramp(float low, float high, int i0) {
        float y = (i0 / 2 - low) / Math.max(0.001f, high - low);
        return 1 - Math.min(1, Math.max(0, y));
    }
}
