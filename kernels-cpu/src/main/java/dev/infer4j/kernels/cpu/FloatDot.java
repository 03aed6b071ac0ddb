package dev.infer4j.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row updates over float arrays with the Vector API. (Dot products that must match ggml's rounding are
 * {@link HalfDotOrder}'s.)
 */
final class FloatDot {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private FloatDot() {
    }

    /** {@code y[yo+i] += s·x[xo+i]} for {@code i < n}, multiplying and adding separately as ggml does. */
    static void addScaled(float[] y, int yo, float s, float[] x, int xo, int n) {
        int i = 0;
        for (; i <= n - L; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(s).add(FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            y[yo + i] += s * x[xo + i];
        }
    }
}
