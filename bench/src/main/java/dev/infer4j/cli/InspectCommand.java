package dev.infer4j.cli;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.formats.gguf.GgufValue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code infer4j inspect FILE}: a GGUF file's metadata and tensor table, like llama.cpp's gguf-dump. */
@Command(name = "inspect", description = "Print a GGUF file's metadata and tensor table.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "a .gguf file")
    Path file;

    @Option(names = "--no-tensors", description = "print metadata only")
    boolean noTensors;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile gguf = GgufFile.open(file)) {
            out.printf("%s: GGUF v%d, %d metadata entries, %d tensors, alignment %d, data at byte %d%n",
                    file, gguf.version(), gguf.metadata().size(), gguf.tensors().size(), gguf.alignment(),
                    gguf.dataOffset());
            for (Map.Entry<String, GgufValue> e : gguf.metadata().entrySet()) {
                out.printf("  %-45s %-10s %s%n", e.getKey(), typeName(e.getValue()), e.getValue());
            }
            if (!noTensors) {
                long params = 0;
                long bytes = 0;
                out.printf("%n  %5s  %-40s %-7s %-24s %12s %12s%n", "#", "name", "type", "shape", "bytes", "offset");
                int i = 0;
                for (GgufTensorInfo t : gguf.tensors()) {
                    out.printf("  %5d  %-40s %-7s %-24s %12d %12d%n", i++, t.name(), t.type(),
                            Arrays.toString(t.shape()), t.byteSize(), t.offset());
                    params += t.elementCount();
                    bytes += t.byteSize();
                }
                out.printf("%n  %,d parameters, %,d bytes of tensor data (%.2f bits per weight)%n", params, bytes,
                        params == 0 ? 0.0 : 8.0 * bytes / params);
            }
        }
        return 0;
    }

    private static String typeName(GgufValue v) {
        return v.elementType() == null ? v.type().name() : v.elementType() + "[]";
    }
}
