package dev.infer4j.bench.spec;

/** How proposals are made in one benchmark row. */
public enum SpecMethod {
    /** Plain decoding, the baseline. */
    NONE,
    /** A draft model run on the same kernels. */
    DRAFT,
    /** Prompt lookup: no model, so c is 0. */
    NGRAM;

    /** The name shown in the table. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
