package dev.infer4j.cli;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code infer4j tokenize}: a model's tokenization of a text, like llama.cpp's llama-tokenize. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Split text into the model's tokens (llama.cpp semantics).")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "a .gguf model or vocabulary file")
    Path model;

    @Option(names = "--ids", description = "print only the ids, as a list")
    boolean idsOnly;

    @Option(names = "--no-bos", description = "do not add BOS (and EOS) the way the vocabulary asks")
    boolean noBos;

    @Option(names = "--parse-special", description = "match special tokens written in the text")
    boolean parseSpecial;

    @Parameters(index = "0", paramLabel = "TEXT", description = "the text")
    String text;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile file = GgufFile.open(model)) {
            Tokenizer tokenizer = GgufTokenizers.load(file);
            int[] ids = tokenizer.encode(text, !noBos, parseSpecial);
            if (idsOnly) {
                out.println(Arrays.toString(ids));
                return 0;
            }
            for (int id : ids) {
                String piece = new String(tokenizer.tokenBytes(id, true), StandardCharsets.UTF_8);
                out.printf("%6d -> '%s'%n", id, piece);
            }
        }
        return 0;
    }
}
