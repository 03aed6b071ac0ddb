package dev.infer4j.server.engine;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufValue;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.runtime.chat.BuiltinChatTemplate;
import dev.infer4j.runtime.chat.ChatTemplate;
import dev.infer4j.runtime.chat.ChatTemplateException;
import dev.infer4j.runtime.model.Architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The chat template a served model uses, and where it came from (shown in the startup log).
 *
 * @param template the compiled template
 * @param origin   for humans: {@code "gguf tokenizer.chat_template"}, {@code "file x.jinja"},
 *                 {@code "built-in chatml (fallback for llama)"}, ...
 */
public record ModelChatTemplate(ChatTemplate template, String origin) {

    /** The GGUF metadata key holding a model's Jinja chat template. */
    public static final String GGUF_KEY = "tokenizer.chat_template";

    private static final System.Logger LOG = System.getLogger(ModelChatTemplate.class.getName());

    /**
     * Chooses the template: the user's choice when given, else the model file's own, else a built-in format that
     * suits the architecture (ChatML when nothing better is known), as llama.cpp's server does.
     *
     * @param choice a built-in format name ({@code chatml}, {@code llama3}, ...) or a path to a Jinja file; null
     *               for the model's own
     * @throws IllegalArgumentException when {@code choice} is neither a format name nor a readable file, or the
     *                                  file does not compile
     */
    public static ModelChatTemplate select(String choice, GgufFile file, Architecture architecture,
                                           Tokenizer tokenizer) {
        return select(choice, file.get(GGUF_KEY).map(GgufValue::asString), "gguf " + GGUF_KEY, architecture,
                tokenizer);
    }

    /**
     * The same choice for a model whose own template (if any) comes from elsewhere, e.g. a Hugging Face
     * {@code tokenizer_config.json}.
     *
     * @param own    the model's template source, if it has one
     * @param origin where it came from, for the log
     */
    public static ModelChatTemplate select(String choice, Optional<String> own, String origin,
                                           Architecture architecture, Tokenizer tokenizer) {
        if (choice != null) {
            return chosen(choice);
        }
        own = own.filter(s -> !s.isBlank());
        if (own.isPresent()) {
            try {
                return new ModelChatTemplate(ChatTemplate.compile(own.get()), origin);
            } catch (ChatTemplateException e) {
                LOG.log(System.Logger.Level.WARNING, "the model's chat template does not compile (" + e.getMessage()
                        + "); falling back to a built-in format");
            }
        }
        BuiltinChatTemplate format = fallbackFor(architecture, tokenizer);
        return new ModelChatTemplate(ChatTemplate.builtin(format),
                "built-in " + format.key() + " (fallback for " + architecture.ggufName() + ")");
    }

    private static ModelChatTemplate chosen(String choice) {
        boolean isFormatName = Arrays.stream(BuiltinChatTemplate.values())
                .anyMatch(t -> t.key().equals(choice.strip().toLowerCase(Locale.ROOT)));
        if (isFormatName) {
            BuiltinChatTemplate format = BuiltinChatTemplate.byName(choice);
            return new ModelChatTemplate(ChatTemplate.builtin(format), "built-in " + format.key());
        }
        Path path = Path.of(choice);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("chat template '" + choice + "' is neither a built-in format ("
                    + String.join(", ", Arrays.stream(BuiltinChatTemplate.values()).map(BuiltinChatTemplate::key)
                    .toList()) + ") nor a file");
        }
        String source;
        try {
            source = Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat template " + path, e);
        }
        try {
            return new ModelChatTemplate(ChatTemplate.compile(source), "file " + path);
        } catch (ChatTemplateException e) {
            throw new IllegalArgumentException("chat template " + path + " does not compile: " + e.getMessage(), e);
        }
    }

    /**
     * The built-in format for a model without a template of its own. Llama-architecture files cover several
     * families, so their vocabulary decides: Llama 3's header tokens, or Mistral's {@code [INST]} control token.
     */
    static BuiltinChatTemplate fallbackFor(Architecture architecture, Tokenizer tokenizer) {
        return switch (architecture) {
            case QWEN2, QWEN2MOE, QWEN3, QWEN3MOE -> BuiltinChatTemplate.CHATML;
            case GEMMA2, GEMMA3 -> BuiltinChatTemplate.GEMMA;
            case PHI3 -> BuiltinChatTemplate.PHI3;
            case LLAMA -> {
                if (tokenizer.tokenId("<|start_header_id|>") >= 0) {
                    yield BuiltinChatTemplate.LLAMA3;
                } else if (tokenizer.tokenId("[INST]") >= 0) {
                    yield BuiltinChatTemplate.MISTRAL;
                }
                yield BuiltinChatTemplate.CHATML;
            }
        };
    }
}
