package dev.infer4j.runtime.chat.jinja;

/** Counts one render's work against its {@link SandboxLimits}; throws {@code LimitExceeded} when one is passed. */
final class Budget {
    private final SandboxLimits limits;
    private long work;
    private int depth;

    Budget(SandboxLimits limits) {
        this.limits = limits;
    }

    SandboxLimits limits() {
        return limits;
    }

    void charge(long units) {
        work += units;
        if (work > limits.maxWork()) {
            throw new JinjaException("LimitExceeded",
                "template exceeded its work budget of " + limits.maxWork() + " steps");
        }
    }

    /** Charges for building a string or list of {@code length} elements, refusing ones beyond the output limit. */
    void checkLength(long length) {
        if (length > limits.maxOutputChars()) {
            throw new JinjaException("LimitExceeded",
                "template built a value of " + length + " elements, over the limit of " + limits.maxOutputChars());
        }
        charge(length);
    }

    void enter() {
        if (++depth > limits.maxDepth()) {
            depth--;
            throw new JinjaException("LimitExceeded", "template nesting exceeds " + limits.maxDepth() + " levels");
        }
    }

    void exit() {
        depth--;
    }
}
