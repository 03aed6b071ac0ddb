package dev.infer4j.cli;

import dev.infer4j.formats.synth.DraftModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code infer4j draft}: a speculative-decoding draft made of a GGUF model's first layers. */
@Command(name = "draft", mixinStandardHelpOptions = true,
        description = {"Write a draft model for speculative decoding (--draft-model) from a GGUF model's first "
                + "layers: the same vocabulary, embeddings, final norm and output head, and blocks 0 to N-1, every "
                + "tensor copied byte for byte, so the draft's predictions are the target's early exit."})
final class DraftCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, description = "the target GGUF model")
    Path model;

    @Option(names = "--layers", required = true, description = "blocks to keep, from 1 to the target's block count")
    int layers;

    @Parameters(index = "0", paramLabel = "OUT", description = "the draft .gguf file, replaced if present")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (Files.isDirectory(model)) {
            throw new IllegalArgumentException(model + " is a directory; a draft is made from a GGUF file");
        }
        if (model.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("the draft would overwrite its target " + model);
        }
        long start = System.nanoTime();
        DraftModel.write(model, layers, out);
        spec.commandLine().getOut().printf("%s: the first %d layer%s of %s, %,d bytes in %.1f s%n", out, layers,
                layers == 1 ? "" : "s", model,
                Files.size(out), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
