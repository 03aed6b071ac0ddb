package dev.infer4j.runtime.model.hf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.hf.HfModelConfig;
import dev.infer4j.formats.hf.HfRopeScaling;
import dev.infer4j.kernels.Rope;
import dev.infer4j.kernels.RopeStyle;
import dev.infer4j.runtime.model.Activation;
import dev.infer4j.runtime.model.Architecture;
import dev.infer4j.runtime.model.AttentionConfig;
import dev.infer4j.runtime.model.FeedForwardConfig;
import dev.infer4j.runtime.model.ModelConfig;

/**
 * Turns a {@code config.json} into the runtime's {@link ModelConfig}.
 *
 * <p>Hugging Face's Llama-family attention rotates the two halves of each head ({@code rotate_half}), which is
 * ggml's NeoX style; llama.cpp's converter instead permutes the Q and K rows of Llama checkpoints so that its
 * adjacent-pair style gives the same result. Reading the HF rows as they are with {@link RopeStyle#NEOX} computes
 * the same attention without touching the weights.
 */
public final class HfModelConfigReader {
    private HfModelConfigReader() {
    }

    /**
     * The runtime configuration of {@code c}.
     *
     * @throws ModelFormatException if the model type or a feature it uses is not supported
     */
    public static ModelConfig read(HfModelConfig c) {
        Architecture arch = switch (c.modelType()) {
            case "llama", "mistral" -> Architecture.LLAMA;
            case "qwen2" -> Architecture.QWEN2;
            case "qwen3" -> Architecture.QWEN3;
            default -> throw new ModelFormatException(c.file(), -1, "unsupported model_type '" + c.modelType()
                    + "'; supported: llama, mistral, qwen2, qwen3");
        };
        if (!c.hiddenAct().equals("silu")) {
            throw new ModelFormatException(c.file(), -1, "unsupported hidden_act '" + c.hiddenAct() + "'; supported: silu");
        }
        if (c.mlpBias()) {
            throw new ModelFormatException(c.file(), -1, "mlp_bias = true is not supported");
        }
        boolean qkvBias = arch == Architecture.QWEN2;
        if (c.attentionBias() && arch != Architecture.QWEN2) {
            // Llama's attention_bias also adds an o_proj bias, which the forward pass does not have
            throw new ModelFormatException(c.file(), -1, "attention_bias = true is not supported for model_type '"
                    + c.modelType() + "'");
        }
        if (c.slidingWindow() > 0 && c.slidingWindow() < c.maxPositions()) {
            throw new ModelFormatException(c.file(), -1, "sliding_window = " + c.slidingWindow()
                    + " is not supported (full attention only); max_position_embeddings is " + c.maxPositions());
        }
        int dims = (int) (c.headDim() * c.partialRotary());
        Rope rope = rope(c, dims);
        AttentionConfig attention = new AttentionConfig(c.heads(), c.kvHeads(), c.headDim(), c.headDim(), rope, rope,
                qkvBias, arch == Architecture.QWEN3, false, 0f, 0f, 0, 0);
        FeedForwardConfig feedForward = new FeedForwardConfig(c.intermediateSize(), Activation.SILU, false, null);
        String name = c.directory() == null ? c.modelType() : c.directory().getFileName().toString();
        return new ModelConfig(arch, name, c.hiddenSize(), c.layers(), c.vocabSize(), c.maxPositions(),
                c.rmsNormEps(), 1f, false, 0f, attention, feedForward);
    }

    private static Rope rope(HfModelConfig c, int dims) {
        HfRopeScaling s = c.ropeScaling();
        float base = c.ropeTheta();
        if (s == null) {
            return Rope.plain(RopeStyle.NEOX, dims, base);
        }
        return switch (s.type()) {
            case "linear" -> new Rope(RopeStyle.NEOX, dims, base, 1f / s.factor(), null, 0f, 1f, 32f, 1f, 0);
            case "yarn" -> new Rope(RopeStyle.NEOX, dims, base, 1f / s.factor(), null, 1f,
                    s.attentionFactor() == 0f ? 1f : s.attentionFactor(), s.betaFast(), s.betaSlow(),
                    s.originalContext() > 0 ? s.originalContext() : c.maxPositions());
            case "llama3" -> new Rope(RopeStyle.NEOX, dims, base, 1f, llama3Factors(s, dims, base), 0f, 1f, 32f, 1f, 0);
            default -> throw new ModelFormatException(c.file(), -1, "unsupported rope_scaling type '" + s.type() + "'");
        };
    }

    /**
     * Llama 3.1's per-pair frequency divisors, as llama.cpp's converter writes them to {@code rope_freqs.weight}:
     * high frequencies (wavelength below {@code original/high_freq_factor}) are kept, low ones (above
     * {@code original/low_freq_factor}) divided by {@code factor}, and the band between interpolated smoothly.
     */
    static float[] llama3Factors(HfRopeScaling s, int dims, float base) {
        float[] factors = new float[dims / 2];
        double lowWavelength = s.originalContext() / s.lowFreqFactor();
        double highWavelength = s.originalContext() / s.highFreqFactor();
        for (int i = 0; i < factors.length; i++) {
            double freq = 1.0 / Math.pow(base, (2.0 * i) / dims);
            double wavelength = 2 * Math.PI / freq;
            if (wavelength < highWavelength) {
                factors[i] = 1f;
            } else if (wavelength > lowWavelength) {
                factors[i] = s.factor();
            } else {
                double smooth = (s.originalContext() / wavelength - s.lowFreqFactor())
                        / (s.highFreqFactor() - s.lowFreqFactor());
                factors[i] = (float) (1.0 / ((1 - smooth) / s.factor() + smooth));
            }
        }
        return factors;
    }
}
