package dev.infer4j.formats.hf;

import dev.infer4j.formats.ModelFormatException;

import java.util.Locale;

/**
 * {@code rope_scaling} of a {@code config.json}.
 *
 * @param type                     {@code linear}, {@code yarn} or {@code llama3}
 * @param factor                   the context extension factor
 * @param originalContext          {@code original_max_position_embeddings} (yarn, llama3), 0 when absent
 * @param lowFreqFactor            llama3's {@code low_freq_factor}
 * @param highFreqFactor           llama3's {@code high_freq_factor}
 * @param betaFast                 yarn's {@code beta_fast}
 * @param betaSlow                 yarn's {@code beta_slow}
 * @param attentionFactor          yarn's {@code attention_factor}, 0 when absent (the model derives it)
 */
public record HfRopeScaling(String type, float factor, int originalContext, float lowFreqFactor, float highFreqFactor,
                            float betaFast, float betaSlow, float attentionFactor) {

    /** Reads the object, or returns null for none / {@code "default"}. */
    static HfRopeScaling read(HfJson s) {
        if (s == null) {
            return null;
        }
        String type = s.stringOr("rope_type", s.stringOr("type", "default")).toLowerCase(Locale.ROOT);
        return switch (type) {
            case "default" -> null;
            case "linear", "yarn", "llama3" -> new HfRopeScaling(type, s.floatOr("factor", 1f),
                    s.intOr("original_max_position_embeddings", 0), s.floatOr("low_freq_factor", 1f),
                    s.floatOr("high_freq_factor", 4f), s.floatOr("beta_fast", 32f), s.floatOr("beta_slow", 1f),
                    s.floatOr("attention_factor", 0f));
            default -> throw new ModelFormatException(s.file(), -1, "unsupported rope_scaling.rope_type = '" + type
                    + "'; supported: default, linear, yarn, llama3");
        };
    }
}
