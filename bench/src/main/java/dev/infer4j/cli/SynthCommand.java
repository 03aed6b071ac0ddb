package dev.infer4j.cli;

import dev.infer4j.formats.synth.ModelShape;
import dev.infer4j.formats.synth.SyntheticModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code infer4j synth}: a random-weight model of a real shape, for benchmarks. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a random-weight llama GGUF of a real model shape with a real vocabulary (for benchmarks).")
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, description = "tinyllama-1.1b, llama-3.2-1b or tiny")
    String shape;

    @Option(names = "--type", defaultValue = "Q4_0", description = "weight type or mix, as for quantize (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--vocab", required = true, description = "a GGUF whose tokenizer.* keys to copy, e.g. ../shared/vocab/ggml-vocab-llama-spm.gguf")
    Path vocab;

    @Parameters(index = "0", paramLabel = "OUT", description = "the .gguf to write")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        SyntheticModel.write(ModelShape.named(shape), type, vocab, out);
        spec.commandLine().getOut().printf("%s: %s %s, %,d bytes in %.1f s%n", out, shape, type, Files.size(out),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
