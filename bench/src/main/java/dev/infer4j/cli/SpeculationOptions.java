package dev.infer4j.cli;

import dev.infer4j.runtime.spec.Speculation;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The speculative decoding options that {@code generate} and {@code serve} share (a picocli mixin), so both
 * commands accept the same flags and refuse the same mistakes with the same words.
 */
final class SpeculationOptions {

    @Option(names = "--draft-model", paramLabel = "FILE",
            description = "a small .gguf model with the same vocabulary, for speculative decoding")
    Path draftModel;

    @Option(names = "--draft-max", paramLabel = "K", defaultValue = "8",
            description = "most tokens proposed per step (default: ${DEFAULT-VALUE})")
    int draftMax;

    @Option(names = "--draft-min-p", paramLabel = "P", defaultValue = "0.0",
            description = "stop drafting at a token the draft gives less than this probability (default: ${DEFAULT-VALUE})")
    float draftMinP;

    @Option(names = "--spec", paramLabel = "METHOD",
            description = "speculate without a draft model: ngram (prompt lookup)")
    String specMethod;

    /**
     * The speculation these options ask for.
     *
     * @return a draft file, n-gram lookup, or null when neither {@code --draft-model} nor {@code --spec} was given
     * @throws IllegalArgumentException for an unknown {@code --spec} method, for {@code --spec} together with
     *                                  {@code --draft-model}, or for limits out of range
     */
    Speculation speculation() {
        if (specMethod != null && !specMethod.equals("ngram")) {
            throw new IllegalArgumentException("--spec supports only ngram, got " + specMethod);
        }
        if (specMethod != null && draftModel != null) {
            throw new IllegalArgumentException("--spec ngram and --draft-model exclude each other");
        }
        if (draftModel != null) {
            return new Speculation.DraftFile(draftModel, draftMax, draftMinP);
        }
        return specMethod == null ? null : Speculation.Ngram.of(draftMax);
    }
}
