package dev.infer4j.formats.quant;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantizes F32 tensors and compares the bytes, block by block, with the same tensors in files that
 * {@code llama-quantize} wrote from them.
 */
class QuantizeMatchesLlamaQuantizeTest {

    /** Every 2-D tensor of {@code synth-llama-F32.gguf} against {@code llama-quantize --pure}. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "synth-llama-F16.gguf, F16",
            "synth-llama-BF16.gguf, BF16",
            "synth-llama-Q8_0.gguf, Q8_0",
            "synth-llama-Q4_0.gguf, Q4_0",
            "synth-llama-Q4_1.gguf, Q4_1",
            "synth-llama-Q5_0.gguf, Q5_0",
            "synth-llama-Q5_1.gguf, Q5_1",
            "synth-llama-IQ4_NL.gguf, IQ4_NL",
            "synth-llama-Q2_K.gguf, Q2_K",
            "synth-llama-Q3_K_M.gguf, Q3_K",
            "synth-llama-Q4_K_M.gguf, Q4_K",
            "synth-llama-Q5_K_M.gguf, Q5_K",
            "synth-llama-Q6_K.gguf, Q6_K",
    })
    void everyBlockIsBitIdenticalToLlamaQuantize(String quantizedName, GgmlType type) throws IOException {
        List<String> mismatches = new ArrayList<>();
        long blocks = 0;
        long differing = 0;
        int tensors = 0;
        try (GgufFile f32 = GgufFile.open(SharedData.file("models/synthetic/synth-llama-F32.gguf"));
             GgufFile quantized = GgufFile.open(SharedData.file("models/synthetic/" + quantizedName))) {
            for (GgufTensorInfo source : f32.tensors()) {
                if (source.rank() < 2) {
                    continue;
                }
                GgufTensorInfo expected = quantized.requireTensor(source.name());
                assertEquals(type, expected.type(), "type of " + source.name() + " in " + quantizedName);
                float[] values = Dequantize.tensor(f32, source);
                byte[] ours = Quantize.rows(type, values, 0, (int) (values.length / source.dim(0)), (int) source.dim(0));
                MemorySegment theirs = quantized.tensorData(expected);
                assertEquals(theirs.byteSize(), ours.length, "size of " + source.name());
                int blockBytes = type.typeSize();
                for (int b = 0; b < ours.length / blockBytes; b++) {
                    blocks++;
                    MemorySegment mine = MemorySegment.ofArray(ours).asSlice((long) b * blockBytes, blockBytes);
                    long at = mine.mismatch(theirs.asSlice((long) b * blockBytes, blockBytes));
                    if (at >= 0) {
                        differing++;
                        if (mismatches.size() < 5) {
                            mismatches.add(source.name() + " block " + b + " byte " + at);
                        }
                    }
                }
                tensors++;
            }
        }
        assertEquals(16, tensors, "expected every 2-D tensor (7 per layer, token_embd, output)");
        assertEquals(0, differing, type + ": " + differing + " of " + blocks + " blocks differ from llama-quantize, e.g. "
                + mismatches);
    }

    /**
     * Every tensor of the stories260K quantizations (default llama.cpp mixes: also Q8_0 and F16 fallbacks),
     * each quantized from {@code stories260K.gguf} to the type the file gives it.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"stories260K-F16.gguf", "stories260K-BF16.gguf", "stories260K-Q8_0.gguf", "stories260K-Q4_0.gguf",
            "stories260K-Q4_1.gguf", "stories260K-Q5_0.gguf", "stories260K-Q5_1.gguf", "stories260K-IQ4_NL.gguf"})
    void stories260kTensorsAreBitIdenticalToLlamaQuantize(String quantizedName) throws IOException {
        List<String> differing = new ArrayList<>();
        try (GgufFile f32 = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"));
             GgufFile quantized = GgufFile.open(SharedData.file("models/gguf/" + quantizedName))) {
            assertEquals(f32.tensors().size(), quantized.tensors().size(), "tensor count");
            for (GgufTensorInfo expected : quantized.tensors()) {
                GgufTensorInfo source = f32.requireTensor(expected.name());
                float[] values = Dequantize.tensor(f32, source);
                int cols = (int) source.dim(0);
                byte[] ours = Quantize.rows(expected.type(), values, 0, values.length / cols, cols);
                long at = MemorySegment.ofArray(ours).mismatch(quantized.tensorData(expected));
                if (at >= 0) {
                    differing.add(expected.name() + " (" + expected.type() + ") at byte " + at);
                }
            }
        }
        assertEquals(List.of(), differing, quantizedName + ": tensors whose bytes differ");
    }
}
