package dev.infer4j.runtime.sampling;

/**
 * A sampling parameter is out of its range. {@link #parameter()} names the offending {@link SamplingParams}
 * component so that an API layer can report it (OpenAI's {@code param} field) without parsing the message.
 */
public final class InvalidSamplingParameterException extends IllegalArgumentException {

    private final String parameter;

    /**
     * @param parameter the {@link SamplingParams} component at fault, e.g. {@code "topP"}
     * @param message   what was expected and what was found
     */
    public InvalidSamplingParameterException(String parameter, String message) {
        super(parameter + ": " + message);
        this.parameter = parameter;
    }

    /** The {@link SamplingParams} component at fault. */
    public String parameter() {
        return parameter;
    }
}
