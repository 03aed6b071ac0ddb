package dev.infer4j.kernels.cpu.matmul;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.kernels.cpu.parallel.WorkerPool;
import dev.infer4j.testdata.SharedData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real llama.cpp-quantized weights (the synthetic llama model, {@code output.weight}: 2048 rows of 256) against
 * the dequantized rows that llama.cpp's gguf-py wrote to {@code reference/dequant}.
 */
class LlamaCppWeightsTest {

    private static final WorkerPool POOL = new WorkerPool(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    static Stream<GgmlType> types() {
        return Stream.of(MatmulTest.TYPES).filter(t -> t != GgmlType.F32);
    }

    private static String fileStem(GgmlType type) {
        return switch (type) {
            case Q3_K, Q4_K, Q5_K -> "synth-llama-" + type + "_M";
            default -> "synth-llama-" + type;
        };
    }

    /** The oracle's reading of the block layout agrees with llama.cpp's dequantizer (relative 1e-6). */
    @ParameterizedTest
    @MethodSource("types")
    void oracleDequantizerMatchesLlamaCpp(GgmlType type) throws IOException {
        try (GgufFile gguf = GgufFile.open(SharedData.file("models/synthetic/" + fileStem(type) + ".gguf"))) {
            Reference ref = reference(type, gguf);
            byte[] w = ref.data.toArray(ValueLayout.JAVA_BYTE);
            float[] row = new float[ref.cols];
            for (int i = 0; i < ref.rowIndices.length; i++) {
                GgmlOracle.dequantize(type, w, (int) (ref.rowIndices[i] * type.bytesFor(ref.cols)), ref.cols, row, null);
                for (int c = 0; c < ref.cols; c++) {
                    float want = ref.rows[i][c];
                    assertEquals(want, row[c], 1e-6 * Math.abs(want) + 1e-30f,
                            type + " row " + ref.rowIndices[i] + " col " + c);
                }
            }
        }
    }

    /**
     * The kernel's products, for every row of the tensor and several tokens, checked on the reference rows:
     * they equal {@code Σ ref·x̂} (x̂: the activations as quantized or rounded for this type) within float
     * summation error, {@code (cols/16+32)·2⁻²³·Σ|w|·|x̂|}.
     */
    @ParameterizedTest
    @MethodSource("types")
    void productsMatchLlamaCppDequantizedRows(GgmlType type) throws IOException {
        try (GgufFile gguf = GgufFile.open(SharedData.file("models/synthetic/" + fileStem(type) + ".gguf"))) {
            Reference ref = reference(type, gguf);
            int cols = ref.cols;
            int rows = ref.totalRows;
            int tokens = 5;
            Random random = new Random(11);
            float[] x = new float[tokens * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] out = new float[tokens * rows];
            Matmul.of(type, POOL).multiply(ref.data, rows, cols, x, 0, cols, tokens, out, 0, rows);
            byte[] w = ref.data.toArray(ValueLayout.JAVA_BYTE);
            float[] deq = new float[cols];
            float[] mag = new float[cols];
            for (int t = 0; t < tokens; t++) {
                float[] xq = MatmulTest.quantizedActivations(type, x, t * cols, cols);
                for (int i = 0; i < ref.rowIndices.length; i++) {
                    int r = ref.rowIndices[i];
                    GgmlOracle.dequantize(type, w, (int) (r * type.bytesFor(cols)), cols, deq, mag);
                    double expected = 0;
                    double magnitude = 0;
                    for (int c = 0; c < cols; c++) {
                        expected += (double) ref.rows[i][c] * xq[c];
                        magnitude += (double) mag[c] * Math.abs(xq[c]);
                    }
                    expected += q8_1SumCorrection(type, w, (int) (r * type.bytesFor(cols)), x, t * cols, cols);
                    double tolerance = (cols / 16 + 32) * 0x1p-23 * magnitude;
                    assertEquals(expected, out[t * rows + r], tolerance, type + " row " + r + " token " + t);
                }
            }
        }
    }

    /**
     * Q4_1/Q5_1 take a block's min times the activation block's stored {@code s = F16(d·Σq)}, not times the sum
     * of the dequantized activations: add {@code m·(s − d·Σq)} per block, as llama.cpp's result has it.
     */
    private static double q8_1SumCorrection(GgmlType type, byte[] w, int rowOffset, float[] x, int xOff, int cols) {
        if (type != GgmlType.Q4_1 && type != GgmlType.Q5_1) {
            return 0;
        }
        GgmlOracle.Q8Row y = GgmlOracle.quantizeQ8(x, xOff, cols, true);
        double correction = 0;
        for (int b = 0; b < cols / 32; b++) {
            float m = Float.float16ToFloat(GgmlOracle.getShort(w, rowOffset + b * type.typeSize() + 2));
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                sum += y.qs()[b * 32 + j];
            }
            correction += m * ((double) y.s()[b] - (double) y.d()[b] * sum);
        }
        return correction;
    }

    private record Reference(MemorySegment data, int cols, int totalRows, int[] rowIndices, float[][] rows) {
    }

    private static Reference reference(GgmlType type, GgufFile gguf) throws IOException {
        JsonNode root = JSON.readTree(SharedData.file("reference/dequant/" + fileStem(type) + ".dequant.json").toFile());
        for (JsonNode tensor : root.get("tensors")) {
            if (!tensor.get("name").asText().equals("output.weight")) {
                continue;
            }
            assertEquals(type.name(), tensor.get("type").asText(), "reference tensor type");
            GgufTensorInfo info = gguf.requireTensor("output.weight");
            assertEquals(type, info.type(), "file tensor type");
            int cols = (int) info.dim(0);
            int totalRows = (int) info.dim(1);
            JsonNode first = tensor.get("first_rows");
            float[][] rows = {floats(first.get(0)), floats(first.get(1)), floats(tensor.get("last_row"))};
            return new Reference(gguf.tensorData(info), cols, totalRows, new int[] {0, 1, totalRows - 1}, rows);
        }
        throw new AssertionError("no output.weight reference for " + type);
    }

    private static float[] floats(JsonNode array) {
        float[] r = new float[array.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) array.get(i).asDouble();
        }
        return r;
    }
}
