package dev.infer4j.runtime.chat.jinja;

/**
 * Bounds on one render, so that a hostile template cannot hang or exhaust the process.
 *
 * @param maxWork        abstract work units: one per evaluated node or loop iteration, plus the length of every
 *                       string or list an operation builds (so quadratic string building is charged for)
 * @param maxOutputChars characters the render may produce, and the longest string any operation may build
 * @param maxDepth       nesting of macro calls, and of values walked by {@code tojson}, {@code repr} and comparison
 * @param maxRange       the largest {@code range()} (jinja2's sandbox uses 100,000 as well)
 */
public record SandboxLimits(long maxWork, int maxOutputChars, int maxDepth, int maxRange) {
    /** The limits used unless a caller chooses others: far above any real chat template's needs. */
    public static final SandboxLimits DEFAULT = new SandboxLimits(50_000_000L, 8 << 20, 100, 100_000);

    public SandboxLimits {
        if (maxWork <= 0 || maxOutputChars <= 0 || maxDepth <= 0 || maxRange <= 0) {
            throw new IllegalArgumentException("sandbox limits must be positive");
        }
    }
}
