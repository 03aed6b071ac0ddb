package dev.infer4j.bench.model;

import java.util.Arrays;
import java.util.List;

/**
 * Repeated timings of one figure: tokens per second of each run, and the system load average (one minute) taken
 * right after it, because the machine may be shared and a figure means little without the load it ran under.
 *
 * @param tokens       tokens processed in each run
 * @param tokensPerSecond rate of each run, in run order
 * @param loadAverages load average after each run, in run order
 */
public record Rate(int tokens, List<Double> tokensPerSecond, List<Double> loadAverages) {

    /** Copies the lists and checks they pair up. */
    public Rate {
        tokensPerSecond = List.copyOf(tokensPerSecond);
        loadAverages = List.copyOf(loadAverages);
        if (tokensPerSecond.isEmpty() || tokensPerSecond.size() != loadAverages.size()) {
            throw new IllegalArgumentException("need one load average per run and at least one run, got "
                    + tokensPerSecond.size() + " rates and " + loadAverages.size() + " load averages");
        }
    }

    /** The median rate (the lower middle one for an even count, so a single outlier never lifts it). */
    public double median() {
        double[] sorted = tokensPerSecond.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[(sorted.length - 1) / 2];
    }

    /** The highest load average seen over the runs. */
    public double maxLoad() {
        return loadAverages.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    /** Rates and loads as {@code 12.3@0.4 12.9@0.5 ...}, for the table. */
    String runs() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < tokensPerSecond.size(); i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("%.1f@%.1f", tokensPerSecond.get(i), loadAverages.get(i)));
        }
        return sb.toString();
    }

    /** Builds a rate from parallel arrays. */
    static Rate of(int tokens, double[] rates, double[] loads) {
        return new Rate(tokens, Arrays.stream(rates).boxed().toList(), Arrays.stream(loads).boxed().toList());
    }
}
