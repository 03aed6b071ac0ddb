package dev.infer4j.server.engine;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.kernels.AttentionMethod;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.engine.Engine;
import dev.infer4j.runtime.engine.EngineConfig;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.runtime.model.Model;
import dev.infer4j.runtime.model.ModelConfig;
import dev.infer4j.runtime.model.ModelConfigReader;
import dev.infer4j.runtime.spec.DraftLoader;
import dev.infer4j.runtime.spec.Speculation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a GGUF model file (or a Hugging Face model directory) into an {@link EngineBackend}: mapping, kernels,
 * model, tokenizer, template, engine, and the draft model when {@link LoadOptions#speculation()} names one.
 *
 * <p>It loads the model itself rather than through {@link Engine#open} because serving wants flash attention and the
 * file's chat template, which {@code Engine.open} does not give; the draft is loaded as {@code Engine.open} loads it,
 * by {@link DraftLoader}, on the target's kernels with a KV cache of its own.
 */
public final class BackendLoader {

    /** Tokens one forward pass takes at most (decodes plus prefill chunks). */
    private static final int TOKEN_BUDGET = 512;

    private BackendLoader() {
    }

    /**
     * Loads the model and starts its engine. On failure everything opened so far is closed again.
     *
     * @throws IOException when the file cannot be read
     * @throws dev.infer4j.formats.ModelFormatException when the file is not a model this runtime supports
     * @throws dev.infer4j.formats.ModelFormatException also when the draft model's vocabulary differs from the
     *                                                  target's
     * @throws IllegalArgumentException when an option is unusable (for example an unknown chat template, or a draft
     *                                  model for a model directory)
     */
    public static EngineBackend load(Path modelFile, LoadOptions options) throws IOException {
        if (options.speculation() instanceof Speculation.DraftFile d && Files.isDirectory(d.file())) {
            throw new IllegalArgumentException("the draft model must be a GGUF file, " + d.file() + " is a directory");
        }
        if (Files.isDirectory(modelFile)) {
            return loadDirectory(modelFile, options);
        }
        GgufFile gguf = GgufFile.open(modelFile);
        GgufFile draftFile = null;
        Kernels kernels = null;
        Engine engine = null;
        try {
            ModelConfig config = ModelConfigReader.read(gguf);
            int context = options.contextLength() > 0 ? options.contextLength()
                    : Math.min(config.contextLength(), LoadOptions.DEFAULT_MAX_CONTEXT);
            Tokenizer tokenizer = GgufTokenizers.load(gguf);
            ModelChatTemplate template = ModelChatTemplate.select(options.chatTemplate(), gguf, config.architecture(),
                    tokenizer);
            String id = options.modelId() != null ? options.modelId() : stem(modelFile);
            long created = Files.getLastModifiedTime(modelFile).toMillis() / 1000;
            kernels = Kernels.load(options.threads());
            int kvPositions = Math.multiplyExact(context, options.parallel());
            // llama.cpp's server runs flash attention by default; with it greedy answers match llama-server's token
            // for token (TinyStories-656K-Q8_0 drifts from them after a few tokens with plain softmax attention)
            Model model = Model.load(gguf, kernels, KvCacheSpec.forPositions(kvPositions), AttentionMethod.FLASH);
            EngineConfig engineConfig = new EngineConfig(context, options.parallel(), TOKEN_BUDGET, kvPositions,
                    options.maxWaiting(), options.threads()).withWarmUp(options.warmUp());
            Speculation speculation = options.speculation();
            if (speculation instanceof Speculation.DraftFile d) {
                draftFile = GgufFile.open(d.file());
                speculation = DraftLoader.load(d, draftFile, tokenizer, kernels, kvPositions, options.parallel(),
                        AttentionMethod.FLASH);
            }
            AutoCloseable[] owned = draftFile == null ? new AutoCloseable[] {kernels, gguf}
                    : new AutoCloseable[] {kernels, gguf, draftFile};
            engine = speculation == null
                    ? Engine.create(model, tokenizer, engineConfig, owned)
                    : Engine.create(model, tokenizer, engineConfig, speculation, owned);
            return new EngineBackend(engine, template, id, created);
        } catch (IOException | RuntimeException | Error e) {
            if (engine != null) {
                engine.close(); // it owns the kernels and the files
            } else {
                if (kernels != null) {
                    kernels.close();
                }
                gguf.close();
                if (draftFile != null) {
                    draftFile.close();
                }
            }
            throw e;
        }
    }

    /**
     * A Hugging Face model directory (safetensors F32/F16/BF16, GPTQ or AWQ), served like a GGUF file. N-gram lookup
     * works as for a GGUF file; a draft model is refused, as {@link Engine#open} refuses it for a directory.
     */
    private static EngineBackend loadDirectory(Path dir, LoadOptions options) throws IOException {
        if (options.speculation() instanceof Speculation.DraftFile) {
            throw new IllegalArgumentException("a draft model is supported with GGUF models only, " + dir
                    + " is a model directory; use n-gram speculation (--spec ngram) with it");
        }
        int trained = dev.infer4j.formats.hf.HfModelConfig.read(dir).maxPositions();
        int context = options.contextLength() > 0 ? options.contextLength()
                : Math.min(trained > 0 ? trained : LoadOptions.DEFAULT_MAX_CONTEXT, LoadOptions.DEFAULT_MAX_CONTEXT);
        int kvPositions = Math.multiplyExact(context, options.parallel());
        Kernels kernels = Kernels.load(options.threads());
        dev.infer4j.runtime.model.hf.HfModel hf = null;
        try {
            hf = dev.infer4j.runtime.model.hf.HfModel.load(dir, kernels, KvCacheSpec.forPositions(kvPositions),
                    AttentionMethod.FLASH);
            java.util.Optional<String> own = hf.tokenizer() instanceof dev.infer4j.formats.tokenizer.hf.HfTokenizer t
                    ? t.chatTemplate() : java.util.Optional.empty();
            ModelChatTemplate template = ModelChatTemplate.select(options.chatTemplate(), own,
                    "tokenizer_config.json chat_template", hf.model().config().architecture(), hf.tokenizer());
            String id = options.modelId() != null ? options.modelId() : dir.getFileName().toString();
            long created = Files.getLastModifiedTime(dir).toMillis() / 1000;
            EngineConfig engineConfig = new EngineConfig(context, options.parallel(), TOKEN_BUDGET, kvPositions,
                    options.maxWaiting(), options.threads()).withWarmUp(options.warmUp());
            Engine engine = options.speculation() == null
                    ? Engine.create(hf.model(), hf.tokenizer(), engineConfig, kernels, hf)
                    : Engine.create(hf.model(), hf.tokenizer(), engineConfig, options.speculation(), kernels, hf);
            return new EngineBackend(engine, template, id, created);
        } catch (RuntimeException | Error e) {
            kernels.close();
            if (hf != null) {
                hf.close();
            }
            throw e;
        }
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".gguf") ? name.substring(0, name.length() - ".gguf".length()) : name;
    }
}
