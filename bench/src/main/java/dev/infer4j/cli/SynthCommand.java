package dev.infer4j.cli;

import dev.infer4j.formats.synth.Int4Quantization;
import dev.infer4j.formats.synth.LateBlockDamping;
import dev.infer4j.formats.synth.ModelShape;
import dev.infer4j.formats.synth.SyntheticHfModel;
import dev.infer4j.formats.synth.SyntheticModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code infer4j synth}: a random-weight model of a real shape, for benchmarks. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a random-weight llama model of a real model shape with a real vocabulary (for benchmarks):",
                "a GGUF file (--format gguf, the default), or a Hugging Face directory with a 4-bit GPTQ or AWQ "
                        + "checkpoint of the same random model (--format gptq|awq)."})
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--shape", required = true, description = "tinyllama-1.1b, llama-3.2-1b or tiny")
    String shape;

    @Option(names = "--format", defaultValue = "gguf", description = "gguf, gptq or awq (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--type", description = "GGUF only: weight type or mix, as for quantize (default: Q4_0)")
    String type;

    @Option(names = "--group-size", description = "GPTQ/AWQ only: inputs per quantization group, a multiple of 8, "
            + "or -1 for whole rows (default: 128)")
    Integer groupSize;

    @Option(names = "--sym", description = "GPTQ only: symmetric quantization (sym: true)")
    boolean symmetric;

    @Option(names = "--vocab", required = true, description = "a GGUF whose tokenizer to use, e.g. "
            + "../shared/vocab/ggml-vocab-llama-spm.gguf (gptq/awq need a SentencePiece one)")
    Path vocab;

    @Option(names = "--damp-from", paramLabel = "N", description = "GGUF only: scale attn_output and ffn_down of "
            + "blocks N and up by --damp-scale, so a draft of the first N blocks (infer4j draft --layers N) agrees "
            + "with the model often enough to benchmark speculative decoding")
    Integer dampFrom;

    @Option(names = "--damp-scale", paramLabel = "S", description = "the factor for --damp-from, in (0, 1] "
            + "(default: 0.05)")
    Double dampScale;

    @Parameters(index = "0", paramLabel = "OUT", description = "the .gguf file, or the model directory for gptq/awq")
    Path out;

    @Spec
    CommandSpec spec;

    private LateBlockDamping damping(ModelShape modelShape) {
        if (dampFrom == null) {
            if (dampScale != null) {
                throw new ParameterException(spec.commandLine(), "--damp-scale needs --damp-from");
            }
            return LateBlockDamping.NONE;
        }
        try {
            LateBlockDamping damping = new LateBlockDamping(dampFrom, dampScale == null ? 0.05 : dampScale);
            damping.requireWithin(modelShape);
            return damping;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        ModelShape modelShape = ModelShape.named(shape);
        String f = format.strip().toLowerCase(Locale.ROOT);
        if (f.equals("gguf")) {
            if (groupSize != null || symmetric) {
                throw new ParameterException(spec.commandLine(), "--group-size and --sym apply to --format gptq|awq");
            }
            String t = type == null ? "Q4_0" : type;
            SyntheticModel.write(modelShape, t, damping(modelShape), vocab, out);
            spec.commandLine().getOut().printf("%s: %s %s, %,d bytes in %.1f s%n", out, shape, t, Files.size(out),
                    (System.nanoTime() - start) / 1e9);
            return 0;
        }
        if (type != null) {
            throw new ParameterException(spec.commandLine(), "--type applies to --format gguf; gptq/awq are 4-bit");
        }
        if (dampFrom != null || dampScale != null) {
            throw new ParameterException(spec.commandLine(), "--damp-from and --damp-scale apply to --format gguf");
        }
        Int4Quantization q;
        try {
            q = Int4Quantization.of(f, groupSize == null ? 128 : groupSize, symmetric);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage() + " (or gguf)");
        }
        SyntheticHfModel.write(modelShape, q, vocab, out);
        long bytes;
        try (Stream<Path> files = Files.list(out)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        spec.commandLine().getOut().printf("%s: %s %s g%d%s, %,d bytes in %.1f s%n", out, shape, f, q.groupSize(),
                q.symmetric() ? " sym" : "", bytes, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
