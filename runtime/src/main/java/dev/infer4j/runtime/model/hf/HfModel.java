package dev.infer4j.runtime.model.hf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.formats.hf.HfGenerationConfig;
import dev.infer4j.formats.hf.HfModelConfig;
import dev.infer4j.formats.safetensors.SafetensorsCheckpoint;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.formats.tokenizer.hf.HfTokenizer;
import dev.infer4j.kernels.AttentionMethod;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.model.ModelConfig;
import dev.infer4j.runtime.model.ModelWeights;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A model loaded from a Hugging Face directory, with what came beside it: {@code config.json},
 * {@code generation_config.json}, the tokenizer, and the mapped safetensors checkpoint (single file or sharded)
 * whose bytes the model reads. Closing it unmaps the checkpoint, after which the model must not be used.
 */
public final class HfModel implements AutoCloseable {
    private final Model model;
    private final Tokenizer tokenizer;
    private final HfModelConfig config;
    private final HfGenerationConfig generationConfig;
    private final SafetensorsCheckpoint checkpoint;
    private final Arena arena;

    private HfModel(Model model, Tokenizer tokenizer, HfModelConfig config, HfGenerationConfig generationConfig,
                    SafetensorsCheckpoint checkpoint, Arena arena) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.config = config;
        this.generationConfig = generationConfig;
        this.checkpoint = checkpoint;
        this.arena = arena;
    }

    /** Loads {@code directory} with {@link AttentionMethod#SOFTMAX} attention. */
    public static HfModel load(Path directory, Kernels kernels, KvCacheSpec kvSpec) {
        return load(directory, kernels, kvSpec, AttentionMethod.SOFTMAX);
    }

    /**
     * Loads the model in {@code directory}: weights stay in the mapped safetensors files (GPTQ/AWQ layers packed
     * as they are), and a KV cache is allocated.
     *
     * @throws ModelFormatException if a file is missing or malformed, or the model uses an architecture, tensor
     *                              type or quantization variant that is not supported (the message names it)
     * @throws UncheckedIOException if a file cannot be read
     */
    public static HfModel load(Path directory, Kernels kernels, KvCacheSpec kvSpec, AttentionMethod method) {
        HfModelConfig hf = HfModelConfig.read(directory);
        ModelConfig config = HfModelConfigReader.read(hf);
        HfGenerationConfig generation = HfGenerationConfig.read(directory);
        Path tokenizerJson = directory.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new ModelFormatException(tokenizerJson, -1, "no tokenizer.json in the model directory");
        }
        Path tokenizerConfig = directory.resolve("tokenizer_config.json");
        Tokenizer tokenizer = HfTokenizer.load(tokenizerJson, Files.isRegularFile(tokenizerConfig) ? tokenizerConfig : null);
        SafetensorsCheckpoint checkpoint;
        try {
            checkpoint = SafetensorsCheckpoint.open(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the checkpoint in " + directory, e);
        }
        Arena arena = Arena.ofShared();
        try {
            ModelWeights weights = HfWeightLoader.load(checkpoint, hf, config, kernels, arena);
            Model model = Model.of(config, weights, kernels, kvSpec, method);
            return new HfModel(model, tokenizer, hf, generation, checkpoint, arena);
        } catch (RuntimeException e) {
            arena.close();
            checkpoint.close();
            throw e;
        }
    }

    /** The model, valid until {@link #close()}. */
    public Model model() {
        return model;
    }

    /** The tokenizer of {@code tokenizer.json} (with {@code tokenizer_config.json} when present). */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /** {@code config.json} as read. */
    public HfModelConfig config() {
        return config;
    }

    /** {@code generation_config.json}, empty when the directory has none. */
    public HfGenerationConfig generationConfig() {
        return generationConfig;
    }

    /** Unmaps the checkpoint and frees the widened vectors. */
    @Override
    public void close() {
        checkpoint.close();
        arena.close();
    }
}
