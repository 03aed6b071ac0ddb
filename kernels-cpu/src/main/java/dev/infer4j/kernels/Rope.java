package dev.infer4j.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * Rotary position embedding parameters, with ggml's extensions: per-pair frequency factors (Llama-3.1's
 * {@code rope_freqs.weight}), linear position scaling and YaRN.
 *
 * <p>Pair {@code i} of a head at position {@code p} is rotated by
 * {@code theta = p * base^(-2i/dims) / freqFactors[i]}, then mixed as YaRN prescribes when
 * {@code extFactor != 0} ({@code freqScale} interpolates, the ramp between {@code betaFast} and {@code betaSlow}
 * keeps high frequencies extrapolated, and the magnitude is scaled by {@code attnFactor}). Values past
 * {@code dims} in a head are left alone.
 *
 * @param style          which pairs rotate together
 * @param dims           number of rotated values per head (ggml's {@code n_dims})
 * @param base           frequency base ({@code rope.freq_base})
 * @param freqScale      position scale, 1 / scaling factor (1 when not scaled)
 * @param freqFactors    per-pair divisors of the frequency ({@code dims/2} values), or {@code null}
 * @param extFactor      YaRN extrapolation mix (0 disables YaRN)
 * @param attnFactor     magnitude multiplier of cos and sin
 * @param betaFast       YaRN low correction dimension parameter
 * @param betaSlow       YaRN high correction dimension parameter
 * @param originalContext context length the model was trained at (YaRN correction dimensions)
 */
public record Rope(RopeStyle style, int dims, float base, float freqScale, float[] freqFactors, float extFactor,
                   float attnFactor, float betaFast, float betaSlow, int originalContext) {

    /** Validates and copies the factors. */
    public Rope {
        Objects.requireNonNull(style, "style");
        if (dims <= 0 || dims % 2 != 0) {
            throw new IllegalArgumentException("rope dims must be positive and even, got " + dims);
        }
        if (freqFactors != null) {
            if (freqFactors.length != dims / 2) {
                throw new IllegalArgumentException("rope needs " + dims / 2 + " frequency factors, got " + freqFactors.length);
            }
            freqFactors = freqFactors.clone();
        }
    }

    /** Plain RoPE with no scaling. */
    public static Rope plain(RopeStyle style, int dims, float base) {
        return new Rope(style, dims, base, 1f, null, 0f, 1f, 32f, 1f, 0);
    }

    /** The same rotation with another frequency base (Gemma 3's local layers). */
    public Rope withBase(float newBase) {
        return new Rope(style, dims, newBase, freqScale, freqFactors, extFactor, attnFactor, betaFast, betaSlow,
                originalContext);
    }

    /** The divisor of pair {@code pair}'s frequency: its factor, or 1 when there are none. Allocates nothing. */
    public float freqFactor(int pair) {
        return freqFactors == null ? 1.0f : freqFactors[pair];
    }

    /** The frequency factors (a copy), or {@code null}. */
    @Override
    public float[] freqFactors() {
        return freqFactors == null ? null : freqFactors.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rope r && style == r.style && dims == r.dims && Float.compare(base, r.base) == 0
                && Float.compare(freqScale, r.freqScale) == 0 && Arrays.equals(freqFactors, r.freqFactors)
                && Float.compare(extFactor, r.extFactor) == 0 && Float.compare(attnFactor, r.attnFactor) == 0
                && Float.compare(betaFast, r.betaFast) == 0 && Float.compare(betaSlow, r.betaSlow) == 0
                && originalContext == r.originalContext;
    }

    @Override
    public int hashCode() {
        return Objects.hash(style, dims, base, freqScale, Arrays.hashCode(freqFactors), extFactor, attnFactor,
                betaFast, betaSlow, originalContext);
    }

    @Override
    public String toString() {
        return "Rope[" + style + ", dims=" + dims + ", base=" + base + ", freqScale=" + freqScale
                + (freqFactors == null ? "" : ", freqFactors=" + Arrays.toString(freqFactors))
                + (extFactor == 0 ? "" : ", yarn ext=" + extFactor + " attn=" + attnFactor + " beta=" + betaFast + "/"
                + betaSlow + " ctx=" + originalContext) + "]";
    }
}
