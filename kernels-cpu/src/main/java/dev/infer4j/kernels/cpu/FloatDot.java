package dev.infer4j.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** Dot products and row updates over float arrays with the Vector API. */
final class FloatDot {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private FloatDot() {
    }

    /** {@code Σ a[ao+i]·b[bo+i]} for {@code i < n}, accumulated in float lanes. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float sum = 0f;
        if (n >= 2 * L) {
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = FloatVector.zero(S);
            for (; i <= n - 2 * L; i += 2 * L) {
                acc0 = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc0);
                acc1 = FloatVector.fromArray(S, a, ao + i + L).fma(FloatVector.fromArray(S, b, bo + i + L), acc1);
            }
            sum = sumLanes(acc0.add(acc1));
        }
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }

    /**
     * Adds the lanes in lane order. {@code reduceLanes(ADD)} leaves the order of a float sum open, and the
     * interpreter and the JIT-compiled intrinsic do pick different orders, so the same dot product could round
     * differently before and after warm-up; that would break run-to-run and batch-to-solo determinism.
     */
    private static float sumLanes(FloatVector v) {
        float sum = 0f;
        for (int i = 0; i < L; i++) {
            sum += v.lane(i);
        }
        return sum;
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
