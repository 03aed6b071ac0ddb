package dev.infer4j.formats.synth;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.formats.quant.Dequantize;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The generator against the tensors of {@code synth-llama-F32.gguf}, which the reference generator wrote. */
class SyntheticWeightsTest {

    @Test
    void regeneratesEveryTensorOfSynthLlamaBitExactly() throws IOException {
        try (GgufFile file = GgufFile.open(SharedData.file("models/synthetic/synth-llama-F32.gguf"))) {
            assertEquals(21, file.tensors().size());
            for (GgufTensorInfo t : file.tensors()) {
                float[] expected = Dequantize.tensor(file, t);
                boolean norm = t.name().endsWith("_norm.weight");
                long seed = SyntheticWeights.seed("synth-llama", t.name());
                // generate in two uneven pieces: values depend only on their index
                int split = expected.length / 3 + 1;
                float[] actual = new float[expected.length];
                SyntheticWeights.fill(seed, norm ? 1.0 : 0.0, norm ? 0.1 : 0.02, 0, actual, 0, split);
                SyntheticWeights.fill(seed, norm ? 1.0 : 0.0, norm ? 0.1 : 0.02, split, actual, split,
                        expected.length - split);
                for (int i = 0; i < expected.length; i++) {
                    if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                        assertEquals(expected[i], actual[i], t.name() + " value " + i);
                    }
                }
            }
        }
    }
}
