package dev.infer4j.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The order in which ggml sums a float dot product ({@code ggml_vec_dot_f16} and {@code ggml_vec_dot_f32} in the
 * form compiled for AVX2), which F16 weights and an F16 KV cache must follow to give llama.cpp's values:
 * <ol>
 *   <li>columns in steps of {@value #STEP}, each step four fused multiply-adds into four accumulators of eight
 *       lanes (accumulator {@code j} takes columns {@code 8j..8j+7} of the step);</li>
 *   <li>the accumulators added as {@code (a0 + a2) + (a1 + a3)}, then the eight lanes by {@link #reduce8}'s tree;</li>
 *   <li>the columns after the last whole step added one product at a time in double, and the total rounded to
 *       float once.</li>
 * </ol>
 *
 * <p>Why this and not any other order: with F16 weights every matmul input, and in the KV cache every key, value
 * and query, is rounded to half precision, so a one-ulp difference in a float sum flips a rounding one time in a
 * few thousand, and one flip moves a log-probability of a 64-wide model by 1e-3 to 1e-2. Summed in this order,
 * stories260K-F16 gives llama.cpp's reference log-probabilities to 5e-6 (the reference's own resolution);
 * summed in 16-lane order, as llama.cpp's AVX-512 build does, or with llama.cpp 0.5's tinyBLAS for prompts,
 * it lands 4e-3 to 5e-3 away. The order is the same for every batch size, so it keeps a token's result
 * independent of the batch it is in.
 */
public final class HalfDotOrder {

    /** Columns per step: four accumulators of eight lanes. */
    public static final int STEP = 32;
    /** Lanes per accumulator. */
    public static final int LANES = 8;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    private HalfDotOrder() {
    }

    /**
     * The eight lanes at {@code lanes[o..o+7]} added as ggml's AVX2 reduction does: the upper four onto the lower
     * four, then {@code (t0 + t1) + (t2 + t3)}.
     */
    public static float reduce8(float[] lanes, int o) {
        float t0 = lanes[o] + lanes[o + 4];
        float t1 = lanes[o + 1] + lanes[o + 5];
        float t2 = lanes[o + 2] + lanes[o + 6];
        float t3 = lanes[o + 3] + lanes[o + 7];
        return (t0 + t1) + (t2 + t3);
    }

    /**
     * {@link #reduce8} of ggml's {@code (a0 + a2) + (a1 + a3)} for accumulators kept as two sixteen-lane vectors
     * already added: {@code a0 + a2} in {@code lanes[o..o+7]}, {@code a1 + a3} in {@code lanes[o+8..o+15]}. The upper
     * eight are added onto the lower eight in place.
     */
    public static float reduce16(float[] lanes, int o) {
        for (int i = 0; i < LANES; i++) {
            lanes[o + i] += lanes[o + LANES + i];
        }
        return reduce8(lanes, o);
    }

    /**
     * {@code Σ x[xo+i]·y[yo+i]} for {@code i < n} in ggml's order (see the class comment); {@code scratch} holds at
     * least {@value #LANES} floats.
     */
    public static float dot(float[] x, int xo, float[] y, int yo, int n, float[] scratch) {
        int whole = n & -STEP;
        double sum = 0;
        if (whole > 0) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int i = 0; i < whole; i += STEP) {
                a0 = FloatVector.fromArray(S, x, xo + i).fma(FloatVector.fromArray(S, y, yo + i), a0);
                a1 = FloatVector.fromArray(S, x, xo + i + LANES).fma(FloatVector.fromArray(S, y, yo + i + LANES), a1);
                a2 = FloatVector.fromArray(S, x, xo + i + 2 * LANES).fma(FloatVector.fromArray(S, y, yo + i + 2 * LANES), a2);
                a3 = FloatVector.fromArray(S, x, xo + i + 3 * LANES).fma(FloatVector.fromArray(S, y, yo + i + 3 * LANES), a3);
            }
            a0.add(a2).add(a1.add(a3)).intoArray(scratch, 0);
            sum = reduce8(scratch, 0);
        }
        for (int i = whole; i < n; i++) {
            sum += x[xo + i] * y[yo + i];
        }
        return (float) sum;
    }
}
