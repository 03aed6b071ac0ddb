package dev.infer4j.formats.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every reference in {@code reference/dequant} (values from gguf-py's dequantizers, which mirror ggml's C code):
 * the first two rows, the last row, the sum and the sum of squares of each listed tensor.
 */
class DequantizeReferenceTest {
    private static final double RELATIVE = 1e-6;

    static Stream<Path> references() throws IOException {
        try (Stream<Path> files = Files.list(SharedData.file("reference/dequant"))) {
            List<Path> list = files.filter(p -> p.getFileName().toString().endsWith(".dequant.json")).sorted().toList();
            assertFalse(list.isEmpty(), "no dequant references found");
            return list.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("references")
    void dequantizedValuesMatchLlamaCpp(Path reference) throws IOException {
        JsonNode root = new ObjectMapper().readTree(reference.toFile());
        String fileName = root.get("file").asText();
        Path model = Files.exists(SharedData.root().resolve("models/gguf/" + fileName))
                ? SharedData.file("models/gguf/" + fileName) : SharedData.file("models/synthetic/" + fileName);
        List<String> failures = new ArrayList<>();
        try (GgufFile file = GgufFile.open(model)) {
            for (JsonNode t : root.get("tensors")) {
                GgufTensorInfo info = file.requireTensor(t.get("name").asText());
                assertEquals(t.get("type").asText(), info.type().name(), "type of " + info.name());
                float[] values = Dequantize.tensor(file, info);
                int cols = (int) info.dim(0);
                int rows = values.length / cols;
                compareRow(failures, info.name() + " row 0", values, 0, t.get("first_rows").get(0));
                compareRow(failures, info.name() + " row 1", values, cols, t.get("first_rows").get(1));
                compareRow(failures, info.name() + " last row", values, (rows - 1) * cols, t.get("last_row"));
                double sum = 0;
                double sumSq = 0;
                for (float v : values) {
                    sum += v;
                    sumSq += (double) v * v;
                }
                compare(failures, info.name() + " sum", sum, t.get("sum").asDouble());
                compare(failures, info.name() + " sum_sq", sumSq, t.get("sum_sq").asDouble());
            }
        }
        if (!failures.isEmpty()) {
            fail(fileName + ": " + failures.size() + " mismatches, first: " + failures.subList(0, Math.min(5, failures.size())));
        }
    }

    private static void compareRow(List<String> failures, String what, float[] values, int from, JsonNode expected) {
        for (int i = 0; i < expected.size(); i++) {
            compare(failures, what + " [" + i + "]", values[from + i], expected.get(i).asDouble());
        }
    }

    private static void compare(List<String> failures, String what, double actual, double expected) {
        if (Math.abs(actual - expected) > RELATIVE * Math.abs(expected)) {
            failures.add(what + ": expected " + expected + " but was " + actual);
        }
    }
}
