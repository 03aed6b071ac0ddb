package dev.infer4j.formats.synth;

import dev.infer4j.formats.gguf.GgmlType;
import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.gguf.GgufTensorInfo;
import dev.infer4j.formats.quant.Dequantize;
import dev.infer4j.formats.quant.Quantize;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code tiny} shape written and read back (with the 32000-token Llama vocabulary where it matters). */
class SyntheticModelTest {
    private static final Path VOCAB = SharedData.file("vocab/ggml-vocab-llama-spm.gguf");

    @TempDir
    Path tmp;

    @Test
    void tinyQ4_0HasLlamaMetadataTheVocabularyAndGgmlShapes() throws IOException {
        Path out = tmp.resolve("tiny-q4_0.gguf");
        SyntheticModel.write(ModelShape.TINY, "Q4_0", VOCAB, out);
        try (GgufFile f = GgufFile.open(out); GgufFile vocab = GgufFile.open(VOCAB)) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals("tiny", f.getString("general.name"));
            assertEquals(2, f.getInt("general.file_type"));
            assertEquals(256, f.getInt("llama.embedding_length"));
            assertEquals(2, f.getInt("llama.block_count"));
            assertEquals(512, f.getInt("llama.feed_forward_length"));
            assertEquals(4, f.getInt("llama.attention.head_count"));
            assertEquals(2, f.getInt("llama.attention.head_count_kv"));
            assertEquals(64, f.getInt("llama.rope.dimension_count"));
            assertEquals(512, f.getInt("llama.context_length"));
            assertEquals(10000f, f.getFloat("llama.rope.freq_base", 0));
            assertEquals(1e-5f, f.getFloat("llama.attention.layer_norm_rms_epsilon", 0));
            assertEquals(32000, f.getInt("llama.vocab_size"));
            assertFalse(f.get("general.alignment").isPresent());
            assertEquals(32, f.alignment());
            vocab.metadata().forEach((k, v) -> {
                if (k.startsWith("tokenizer.")) {
                    assertEquals(v, f.require(k), "copied " + k);
                }
            });

            assertEquals(2 + 2 * 9 + 1, f.tensors().size());
            assertTensor(f, "token_embd.weight", GgmlType.Q4_0, 256, 32000);
            assertTensor(f, "output.weight", GgmlType.Q6_K, 256, 32000);
            assertTensor(f, "output_norm.weight", GgmlType.F32, 256);
            for (int i = 0; i < 2; i++) {
                String p = "blk." + i + ".";
                assertTensor(f, p + "attn_norm.weight", GgmlType.F32, 256);
                assertTensor(f, p + "attn_q.weight", GgmlType.Q4_0, 256, 256);
                assertTensor(f, p + "attn_k.weight", GgmlType.Q4_0, 256, 128);
                assertTensor(f, p + "attn_v.weight", GgmlType.Q4_0, 256, 128);
                assertTensor(f, p + "attn_output.weight", GgmlType.Q4_0, 256, 256);
                assertTensor(f, p + "ffn_norm.weight", GgmlType.F32, 256);
                assertTensor(f, p + "ffn_gate.weight", GgmlType.Q4_0, 256, 512);
                assertTensor(f, p + "ffn_up.weight", GgmlType.Q4_0, 256, 512);
                assertTensor(f, p + "ffn_down.weight", GgmlType.Q4_0, 512, 256);
            }

            // the stored blocks are the quantization of the generator's values
            GgufTensorInfo down = f.requireTensor("blk.1.ffn_down.weight");
            float[] values = new float[512 * 256];
            SyntheticWeights.fill(SyntheticWeights.seed("tiny", down.name()), 0, 0.02, 0, values, 0, values.length);
            assertArrayEquals(Quantize.rows(GgmlType.Q4_0, values, 0, 256, 512), f.tensorData(down).toArray(
                    java.lang.foreign.ValueLayout.JAVA_BYTE));
            float[] norm = Dequantize.tensor(f, f.requireTensor("blk.0.attn_norm.weight"));
            double mean = 0;
            for (float v : norm) {
                mean += v / norm.length;
            }
            assertTrue(Math.abs(mean - 1.0) < 0.02, "norm weights have mean 1, got " + mean);
        }
    }

    @Test
    void tinyQ4_KMediumUsesQ6_KWhereLlamaCppDoes() throws IOException {
        Path out = tmp.resolve("tiny-q4_k_m.gguf");
        // stories260K's 512-token vocabulary keeps the K-quantization of the embeddings quick
        SyntheticModel.write(ModelShape.TINY, "Q4_K_M", SharedData.file("models/gguf/stories260K.gguf"), out);
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(15, f.getInt("general.file_type"));
            // with two layers use_more_bits picks only layer 1 (i >= 7*2/8)
            assertEquals(GgmlType.Q4_K, f.requireTensor("blk.0.attn_v.weight").type());
            assertEquals(GgmlType.Q4_K, f.requireTensor("blk.0.ffn_down.weight").type());
            assertEquals(GgmlType.Q6_K, f.requireTensor("blk.1.attn_v.weight").type());
            assertEquals(GgmlType.Q6_K, f.requireTensor("blk.1.ffn_down.weight").type());
            assertEquals(GgmlType.Q4_K, f.requireTensor("blk.0.attn_q.weight").type());
            assertEquals(GgmlType.Q4_K, f.requireTensor("token_embd.weight").type());
            assertEquals(GgmlType.Q6_K, f.requireTensor("output.weight").type());
        }
    }

    @Test
    void tiedShapeHasNoOutputTensor() {
        assertTrue(SyntheticModel.tensors(ModelShape.LLAMA_3_2_1B.withVocabSize(1000)).stream()
                .noneMatch(t -> t.name().equals("output.weight")));
        assertEquals(2 + 22 * 9 + 1, SyntheticModel.tensors(ModelShape.TINYLLAMA_1_1B).size());
    }

    @Test
    void vocabularySizeMustMatchTheShape() {
        ModelShape wrong = ModelShape.TINY.withVocabSize(128256);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.write(wrong, "Q8_0", VOCAB, tmp.resolve("x.gguf")));
        assertTrue(e.getMessage().contains("128256") && e.getMessage().contains("32000"), e.getMessage());
        assertEquals(ModelShape.TINYLLAMA_1_1B, ModelShape.named("TinyLlama-1.1B"));
        assertThrows(IllegalArgumentException.class, () -> ModelShape.named("gpt-5"));
    }

    @Test
    void dampedBlocksScaleOnlyTheirResidualOutputs() throws IOException {
        Path plain = tmp.resolve("plain.gguf");
        Path damped = tmp.resolve("damped.gguf");
        SyntheticModel.write(ModelShape.TINY, "F32", VOCAB, plain);
        SyntheticModel.write(ModelShape.TINY, "F32", new LateBlockDamping(1, 0.1), VOCAB, damped);
        try (GgufFile p = GgufFile.open(plain); GgufFile d = GgufFile.open(damped)) {
            assertTrue(d.getString("general.description").contains("blocks 1 and up scaled by 0.1"),
                    d.getString("general.description"));
            for (GgufTensorInfo t : p.tensors()) {
                float[] expected = Dequantize.tensor(p, t);
                float[] actual = Dequantize.tensor(d, d.requireTensor(t.name()));
                boolean scaled = t.name().equals("blk.1.attn_output.weight") || t.name().equals("blk.1.ffn_down.weight");
                if (scaled) {
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = (float) (expected[i] * 0.1);
                    }
                }
                assertArrayEquals(expected, actual, t.name() + (scaled ? " scaled by 0.1" : " unchanged"));
            }
        }
    }

    @Test
    void dampingOutsideTheShapeOrScaleIsRefused() {
        Path out = tmp.resolve("x.gguf");
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.write(ModelShape.TINY, "F32", new LateBlockDamping(2, 0.1), VOCAB, out));
        assertTrue(past.getMessage().contains("damping from block 2, but shape tiny has 2 blocks (0 to 1)"), past.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LateBlockDamping(1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LateBlockDamping(1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new LateBlockDamping(-1, 0.5));
        assertEquals(1.0, new LateBlockDamping(3, 0.5).factorFor("blk.2.ffn_down.weight"));
        assertEquals(0.5, new LateBlockDamping(3, 0.5).factorFor("blk.13.ffn_down.weight"));
        assertEquals(1.0, new LateBlockDamping(3, 0.5).factorFor("blk.13.ffn_up.weight"));
        assertEquals(1.0, new LateBlockDamping(0, 0.5).factorFor("output.weight"));
    }

    private static void assertTensor(GgufFile f, String name, GgmlType type, long... shape) {
        GgufTensorInfo t = f.requireTensor(name);
        assertEquals(type, t.type(), "type of " + name);
        assertArrayEquals(shape, t.shape(), "shape of " + name);
    }
}
