package dev.infer4j.bench.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Prefill and batch-1 decode of several models timed in one process, round by round, with each model's rates also
 * given as ratios to the first model's rates of the same round. On a shared, noisy machine two figures taken
 * minutes apart in separate processes can differ by a third for the same model; runs taken seconds apart in one
 * round share the machine's state, so their ratio is the figure to compare.
 *
 * @param models       the models, the first being the baseline of the ratios
 * @param backend      the kernels that ran them, e.g. {@code cpu, 512-bit vectors}
 * @param threads      compute threads
 * @param promptTokens tokens of each prefill
 * @param genTokens    tokens of each decode
 */
public record ModelComparisonReport(List<Entry> models, String backend, int threads, int promptTokens,
                                    int genTokens) {

    /**
     * One model's runs, in round order.
     *
     * @param path        the file or directory loaded
     * @param weightTypes what its weights are made of, most common first
     * @param prefill     prefill rate of each round
     * @param decode      decode rate of each round
     */
    public record Entry(String path, String weightTypes, Rate prefill, Rate decode) {
        /** Checks the parts are there. */
        public Entry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(weightTypes, "weightTypes");
            Objects.requireNonNull(prefill, "prefill");
            Objects.requireNonNull(decode, "decode");
        }
    }

    /** Copies the list and checks that every model ran the same number of rounds. */
    public ModelComparisonReport {
        models = List.copyOf(models);
        if (models.size() < 2) {
            throw new IllegalArgumentException("a comparison needs at least two models, got " + models.size());
        }
        int rounds = models.get(0).decode().tokensPerSecond().size();
        for (Entry e : models) {
            if (e.prefill().tokensPerSecond().size() != rounds || e.decode().tokensPerSecond().size() != rounds) {
                throw new IllegalArgumentException(e.path() + " ran a different number of rounds than "
                        + models.get(0).path() + " (" + rounds + ")");
            }
        }
    }

    /** Rounds each model ran. */
    public int rounds() {
        return models.get(0).decode().tokensPerSecond().size();
    }

    /** Model {@code i}'s decode rate over the first model's, round by round. */
    public List<Double> decodeRatios(int i) {
        return ratios(i, Entry::decode);
    }

    /** Model {@code i}'s prefill rate over the first model's, round by round. */
    public List<Double> prefillRatios(int i) {
        return ratios(i, Entry::prefill);
    }

    /** The median of {@code values}: the lower middle one for an even count, as {@link Rate#median()} takes. */
    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return sorted[(sorted.length - 1) / 2];
    }

    /** The report as a human-readable table. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%d models in one process, %d rounds (the order rotates each round); %s, %d threads%n",
                models.size(), rounds(), backend, threads));
        sb.append(String.format("prefill %d tokens in one forward, then decode %d tokens at batch 1%n", promptTokens,
                genTokens));
        int width = Math.max(5, models.stream().mapToInt(e -> e.path().length()).max().orElse(0));
        String row = "%-" + width + "s  %9s  %8s  %-17s  %-17s  %s%n";
        sb.append(String.format(row, "model", "prefill/s", "decode/s", "prefill x (range)", "decode x (range)",
                "weights"));
        for (int i = 0; i < models.size(); i++) {
            Entry e = models.get(i);
            sb.append(String.format(row, e.path(), String.format("%.1f", e.prefill().median()),
                    String.format("%.2f", e.decode().median()), ratioCell(prefillRatios(i)),
                    ratioCell(decodeRatios(i)), e.weightTypes()));
        }
        sb.append("rates: median of the rounds; x: the rate over the first model's in the same round, median of the"
                + " rounds (lowest-highest)\n");
        for (Entry e : models) {
            sb.append(String.format("decode runs (tok/s@load) %s: %s%n", e.path(), e.decode().runs()));
        }
        return sb.toString();
    }

    private List<Double> ratios(int i, Function<Entry, Rate> figure) {
        List<Double> base = figure.apply(models.get(0)).tokensPerSecond();
        List<Double> mine = figure.apply(models.get(i)).tokensPerSecond();
        List<Double> out = new ArrayList<>(base.size());
        for (int r = 0; r < base.size(); r++) {
            out.add(mine.get(r) / base.get(r));
        }
        return out;
    }

    private static String ratioCell(List<Double> ratios) {
        double lo = ratios.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double hi = ratios.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return String.format("%.2f (%.2f-%.2f)", median(ratios), lo, hi);
    }
}
