package dev.infer4j.cli;

import dev.infer4j.formats.quant.ModelQuantizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code infer4j quantize IN OUT TYPE}: requantizes a GGUF model, as llama.cpp's llama-quantize. */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize a GGUF model: TYPE is F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL, "
                + "Q2_K, Q3_K_S, Q3_K_M, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M or Q6_K (llama.cpp's per-tensor rules).")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "the source .gguf (F32/F16 ideally)")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "the .gguf to write")
    Path out;

    @Parameters(index = "2", paramLabel = "TYPE", description = "the target type or mix")
    String type;

    @Option(names = "--pure", description = "every 2-D tensor in TYPE, no per-tensor rules (llama-quantize --pure)")
    boolean pure;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("OUT must differ from IN");
        }
        long start = System.nanoTime();
        ModelQuantizer.quantize(in, out, type, pure);
        spec.commandLine().getOut().printf("%s -> %s (%s): %,d bytes in %.1f s%n", in, out, type, Files.size(out),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
