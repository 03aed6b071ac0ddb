package dev.infer4j.kernels.cpu.int4;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The lane selects that turn an AWQ run's eight nibble vectors into output order without a scatter.
 *
 * <p>Sixteen AWQ words hold 128 outputs: nibble {@code j} of word {@code l} is output {@code 8l + i} with
 * {@code i = order[j]}. With the nibble vectors stored by {@code i}, vector {@code i} lane {@code l} holds output
 * {@code o = 8l + i}, so the output's low three bits pick the vector and its high four bits the lane; output order
 * wants its high three bits on the vector and its low four on the lane. Each round pairs the vectors that differ in
 * one vector bit and swaps that bit with one lane bit by a two-vector select ({@code vpermi2ps}): round 0 swaps
 * output bits 0 and 4, round 1 bits 1 and 5, and round 2 bits 2 and 6 while also moving the lane bits into
 * place. Three rounds of eight selects cost less than the eight scatters ({@code vpscatterdps}) they replace, which
 * are slow on AMD.
 */
final class AwqOrder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final int LANES = 16;
    /** Rounds of selects. */
    static final int ROUNDS = 3;
    /**
     * Where each output bit sits, before and after each round: {@code SLOT_BIT[k][b]} is the bit of
     * {@code 16·vector + lane} that holds output bit {@code b} after {@code k} rounds.
     */
    private static final int[][] SLOT_BIT = {
            {4, 5, 6, 0, 1, 2, 3},
            {1, 5, 6, 0, 4, 2, 3},
            {1, 2, 6, 0, 4, 5, 3},
            {0, 1, 2, 3, 4, 5, 6}};
    /** Round {@code k}'s select indices for result vector {@code v} at {@code (8k + v)·16}. */
    private static final float[] INDEX = new float[ROUNDS * 8 * LANES];

    static {
        for (int k = 0; k < ROUNDS; k++) {
            int pairBit = 1 << k;
            for (int o = 0; o < 8 * LANES; o++) {
                int from = slot(SLOT_BIT[k], o);
                int to = slot(SLOT_BIT[k + 1], o);
                int fromVector = from / LANES;
                int toVector = to / LANES;
                if ((fromVector | pairBit) != (toVector | pairBit)) {
                    throw new AssertionError("round " + k + " would take output " + o + " from vector " + fromVector
                            + " into vector " + toVector + ", outside its pair");
                }
                INDEX[(8 * k + toVector) * LANES + to % LANES] = (fromVector & pairBit) * LANES / pairBit
                        + from % LANES;
            }
        }
    }

    private AwqOrder() {
    }

    /** The indices of round {@code round}'s result vector {@code v}, selecting from its pair {@code (lo, hi)}. */
    static FloatVector select(int round, int v) {
        return FloatVector.fromArray(F, INDEX, (8 * round + v) * LANES);
    }

    private static int slot(int[] slotBit, int output) {
        int s = 0;
        for (int b = 0; b < slotBit.length; b++) {
            s |= ((output >> b) & 1) << slotBit[b];
        }
        return s;
    }
}
