package dev.infer4j.runtime.engine;

import java.util.Map;

/**
 * Pearson's goodness-of-fit test of sampled outcomes against an exact distribution: cells expected at least 5 times
 * are compared one by one, the rest (and outcomes the distribution never gives) pooled into one cell.
 *
 * @param statistic        Pearson's statistic
 * @param degreesOfFreedom cells compared, less one
 * @param critical         the statistic's critical value at the chosen significance
 * @param impossible       samples the exact distribution gives probability 0
 */
record ChiSquare(double statistic, int degreesOfFreedom, double critical, long impossible) {
    /** Upper 0.1% point of the standard normal: a significance of 0.001. */
    static final double Z_999 = 3.0902;

    /**
     * @param expected probability of each outcome (keys the caller encodes)
     * @param observed how often each outcome was sampled
     * @param samples  the number of samples
     * @param z        the upper point of the standard normal for the significance wanted
     */
    static ChiSquare of(Map<Long, Double> expected, Map<Long, Integer> observed, int samples, double z) {
        double stat = 0;
        double restExpected = 0;
        long restObserved = 0;
        int cells = 0;
        for (Map.Entry<Long, Double> e : expected.entrySet()) {
            double exp = e.getValue() * samples;
            int obs = observed.getOrDefault(e.getKey(), 0);
            if (exp >= 5) {
                stat += (obs - exp) * (obs - exp) / exp;
                cells++;
            } else {
                restExpected += exp;
                restObserved += obs;
            }
        }
        long impossible = 0;
        for (Map.Entry<Long, Integer> e : observed.entrySet()) {
            if (!expected.containsKey(e.getKey())) {
                impossible += e.getValue();
            }
        }
        restObserved += impossible;
        if (restExpected > 0) {
            stat += (restObserved - restExpected) * (restObserved - restExpected) / restExpected;
            cells++;
        }
        int df = cells - 1;
        // Wilson-Hilferty approximation of the chi-square quantile
        double h = 2.0 / (9 * df);
        double critical = df * Math.pow(1 - h + z * Math.sqrt(h), 3);
        return new ChiSquare(stat, df, critical, impossible);
    }

    /** Whether the samples are consistent with the distribution at the chosen significance. */
    boolean fits() {
        return statistic < critical;
    }

    @Override
    public String toString() {
        return String.format("chi-square %.1f over %d degrees of freedom (critical %.1f)%s", statistic,
                degreesOfFreedom, critical, impossible == 0 ? "" : ", " + impossible + " impossible samples");
    }
}
