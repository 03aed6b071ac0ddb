package dev.infer4j.bench.spec;

import java.util.List;
import java.util.Locale;

/**
 * The figures of one {@code bench spec} run.
 *
 * @param target       the target model file
 * @param draft        the draft model file, or null
 * @param promptTokens tokens of the prompt every run used
 * @param passageTokens tokens of one copy of the passage the prompt repeats
 * @param genTokens    tokens generated per run
 * @param threads      compute threads
 * @param rows         the baseline first, then each speculation method
 */
public record SpecBenchReport(String target, String draft, int promptTokens, int passageTokens, int genTokens,
                              int threads, List<SpecRow> rows) {
    /** Copies the rows. */
    public SpecBenchReport {
        rows = List.copyOf(rows);
    }

    /** A plain-text table; speedups are against the baseline row of this same run. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "target %s%n", target));
        if (draft != null) {
            sb.append(String.format(Locale.ROOT, "draft  %s%n", draft));
        }
        sb.append(String.format(Locale.ROOT, "prompt %d tokens (the passage is %d), %d generated greedily, %d threads%n",
                promptTokens, passageTokens, genTokens, threads));
        sb.append(String.format(Locale.ROOT, "%-6s %3s %9s %6s %7s %7s %6s %8s %8s %7s%n", "method", "K", "decode/s",
                "alpha", "tok/st", "theory", "c", "theory-x", "measured", "gap"));
        for (SpecRow r : rows) {
            if (r.method() == SpecMethod.NONE) {
                sb.append(String.format(Locale.ROOT, "%-6s %3s %9.2f %6s %7s %7s %6s %8s %8.2f %7s%n", r.method().label(),
                        "-", r.decodeTps(), "-", "1.00", "-", "-", "-", 1.0, "-"));
                continue;
            }
            double theory = r.theoreticalSpeedup();
            double measured = r.measuredSpeedup();
            sb.append(String.format(Locale.ROOT, "%-6s %3d %9.2f %6.3f %7.2f %7.2f %6.3f %8.2f %8.2f %+6.0f%%%n",
                    r.method().label(), r.k(), r.decodeTps(), r.alpha(), r.tokensPerStep(),
                    r.theoreticalTokensPerStep(), r.c(), theory, measured, (measured / theory - 1) * 100));
        }
        sb.append("tok/st: tokens per target forward measured, theory: (1-a^(K+1))/(1-a); theory-x: that over (1+K*c);"
                + " gap: measured over theory-x%n".formatted());
        return sb.toString();
    }
}
