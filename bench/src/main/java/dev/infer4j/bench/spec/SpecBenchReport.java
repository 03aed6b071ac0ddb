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
        sb.append(String.format(Locale.ROOT, "%-6s %3s %9s %6s %7s %7s %6s %6s %8s %7s %8s %7s%n", "method", "K",
                "decode/s", "alpha", "tok/st", "theory", "c", "v", "theory-x", "cost-x", "measured", "gap"));
        for (SpecRow r : rows) {
            if (r.method() == SpecMethod.NONE) {
                sb.append(String.format(Locale.ROOT, "%-6s %3s %9.2f %6s %7s %7s %6s %6s %8s %7s %8.2f %7s%n",
                        r.method().label(), "-", r.decodeTps(), "-", "1.00", "-", "-", "-", "-", "-", 1.0, "-"));
                continue;
            }
            double theory = r.theoreticalSpeedup();
            double measured = r.measuredSpeedup();
            sb.append(String.format(Locale.ROOT, "%-6s %3d %9.2f %6.3f %7.2f %7.2f %6.3f %6.2f %8.2f %7.2f %8.2f %+6.0f%%%n",
                    r.method().label(), r.k(), r.decodeTps(), r.alpha(), r.tokensPerStep(),
                    r.theoreticalTokensPerStep(), r.c(), r.v(), theory, r.costModelSpeedup(), measured,
                    (measured / theory - 1) * 100));
        }
        sb.append(String.format(Locale.ROOT, "tok/st: tokens per target forward, measured; theory: (1-a^(K+1))/(1-a);"
                + " c: draft/target forward time, 1 token;%n"
                + "v: target forward of K+1 tokens / of 1 token; theory-x: (1-a^(K+1))/((1-a)(1+K*c));"
                + " cost-x: measured tok/st / (v+K*c);%n"
                + "measured: median over rounds of decode tokens/s over the baseline's in the same round"
                + " (first token to last, prefill excluded);"
                + " gap: measured vs theory-x%n"));
        return sb.toString();
    }
}
