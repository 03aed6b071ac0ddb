package dev.infer4j.formats.synth;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The hyper-parameters of a llama-architecture model.
 *
 * @param name              the shape's name, also the model's {@code general.name} and the weights' seed family
 * @param embeddingLength   hidden size
 * @param blockCount        layers
 * @param headCount         query heads
 * @param headCountKv       key/value heads
 * @param feedForwardLength FFN hidden size
 * @param vocabSize         tokens, or 0 to take the vocabulary file's size
 * @param contextLength     {@code llama.context_length}
 * @param ropeFreqBase      {@code llama.rope.freq_base}
 * @param rmsNormEps        {@code llama.attention.layer_norm_rms_epsilon}
 * @param tiedEmbeddings    true when the output projection reuses {@code token_embd} (no {@code output.weight})
 */
public record ModelShape(String name, int embeddingLength, int blockCount, int headCount, int headCountKv,
                         int feedForwardLength, int vocabSize, int contextLength, float ropeFreqBase,
                         float rmsNormEps, boolean tiedEmbeddings) {

    /** TinyLlama-1.1B: 2048 wide, 22 layers, 32 heads over 4 KV heads, FFN 5632, the 32000-token Llama vocab. */
    public static final ModelShape TINYLLAMA_1_1B =
            new ModelShape("tinyllama-1.1b", 2048, 22, 32, 4, 5632, 32000, 2048, 10000f, 1e-5f, false);

    /**
     * Llama-3.2-1B-like: 2048 wide, 16 layers, 32 heads over 8 KV heads, FFN 8192, rope base 500000, tied
     * embeddings, the vocabulary file's size. Unlike the real model it has no {@code rope_freqs} scaling and a
     * context length of 8192 (not 131072), so default KV caches stay small.
     */
    public static final ModelShape LLAMA_3_2_1B =
            new ModelShape("llama-3.2-1b", 2048, 16, 32, 8, 8192, 0, 8192, 500000f, 1e-5f, true);

    /** A small test shape: 256 wide, 2 layers, 4 heads over 2 KV heads, FFN 512, the vocabulary file's size. */
    public static final ModelShape TINY = new ModelShape("tiny", 256, 2, 4, 2, 512, 0, 512, 10000f, 1e-5f, false);

    private static final ModelShape[] KNOWN = {TINYLLAMA_1_1B, LLAMA_3_2_1B, TINY};

    /** Checks that the heads divide the width and the KV heads divide the heads. */
    public ModelShape {
        if (embeddingLength <= 0 || blockCount <= 0 || headCount <= 0 || headCountKv <= 0 || feedForwardLength <= 0
                || vocabSize < 0 || contextLength <= 0) {
            throw new IllegalArgumentException("shape " + name + " has a non-positive size");
        }
        if (embeddingLength % headCount != 0 || headCount % headCountKv != 0) {
            throw new IllegalArgumentException("shape " + name + ": " + headCount + " heads over " + headCountKv
                    + " KV heads do not divide a width of " + embeddingLength);
        }
    }

    /** Width of one attention head. */
    public int headDim() {
        return embeddingLength / headCount;
    }

    /** The same shape with another vocabulary size. */
    public ModelShape withVocabSize(int vocab) {
        return new ModelShape(name, embeddingLength, blockCount, headCount, headCountKv, feedForwardLength, vocab,
                contextLength, ropeFreqBase, rmsNormEps, tiedEmbeddings);
    }

    /** A predefined shape by name ({@code tinyllama-1.1b}, {@code llama-3.2-1b}, {@code tiny}), ignoring case. */
    public static ModelShape named(String name) {
        for (ModelShape s : KNOWN) {
            if (s.name.equalsIgnoreCase(name.strip())) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown model shape '" + name + "'; known: "
                + Arrays.stream(KNOWN).map(ModelShape::name).collect(Collectors.joining(", ")).toLowerCase(Locale.ROOT));
    }
}
