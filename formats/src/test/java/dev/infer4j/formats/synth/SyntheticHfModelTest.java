package dev.infer4j.formats.synth;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.hf.HfModelConfig;
import dev.infer4j.formats.hf.HfQuantization;
import dev.infer4j.formats.int4.PackedLayout;
import dev.infer4j.formats.safetensors.SafetensorsCheckpoint;
import dev.infer4j.formats.safetensors.SafetensorsDType;
import dev.infer4j.formats.safetensors.SafetensorsTensor;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The GPTQ and AWQ directories {@link SyntheticHfModel} writes for the {@code tiny} shape, checked against the F32
 * GGUF {@link SyntheticModel} writes of the same shape: every packed matrix, decoded here from the layout's
 * definition, lies within one quantization step of the GGUF twin's matrix (Q and K rows mapped back through
 * llama.cpp's converter permutation), the float tensors are the twin's values in F16, and config.json says what
 * the checkpoint holds.
 */
class SyntheticHfModelTest {
    private static final ValueLayout.OfInt WORD = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int[] AWQ_ORDER = {0, 2, 4, 6, 1, 3, 5, 7};
    private static final ModelShape SHAPE = ModelShape.TINY;

    @TempDir
    static Path tmp;
    private static Path gguf;
    private static Path gptq;
    private static Path awq;

    @BeforeAll
    static void writeModels() throws IOException {
        Path vocab = SharedData.file("vocab/ggml-vocab-llama-spm.gguf");
        gguf = tmp.resolve("tiny-f32.gguf");
        SyntheticModel.write(SHAPE, "F32", vocab, gguf);
        gptq = tmp.resolve("gptq");
        SyntheticHfModel.write(SHAPE, new Int4Quantization(PackedLayout.GPTQ, 128, true), vocab, gptq);
        awq = tmp.resolve("awq");
        SyntheticHfModel.write(SHAPE, new Int4Quantization(PackedLayout.AWQ_GEMM, 64, false), vocab, awq);
    }

    @Test
    void configDescribesShapeAndQuantization() {
        for (Path dir : new Path[]{gptq, awq}) {
            HfModelConfig c = HfModelConfig.read(dir);
            assertEquals(java.util.List.of("LlamaForCausalLM"), c.architectures(), dir.toString());
            assertEquals("llama", c.modelType());
            assertEquals(256, c.hiddenSize());
            assertEquals(512, c.intermediateSize());
            assertEquals(2, c.layers());
            assertEquals(4, c.heads());
            assertEquals(2, c.kvHeads());
            assertEquals(64, c.headDim());
            assertEquals(32000, c.vocabSize());
            assertEquals(512, c.maxPositions());
            assertEquals(1e-5f, c.rmsNormEps());
            assertEquals(10000f, c.ropeTheta());
            assertFalse(c.tieWordEmbeddings());
        }
        HfQuantization g = HfModelConfig.read(gptq).quantization();
        assertEquals(new HfQuantization(PackedLayout.GPTQ, 4, 128, true, false, 1), g);
        HfQuantization a = HfModelConfig.read(awq).quantization();
        assertEquals(new HfQuantization(PackedLayout.AWQ_GEMM, 4, 64, false, false, 0), a);
    }

    @Test
    void gptqMatricesAreTheGgufTwinsWithinOneStep() throws IOException {
        checkEveryLinear(gptq, PackedLayout.GPTQ, 128);
    }

    @Test
    void awqMatricesAreTheGgufTwinsWithinOneStep() throws IOException {
        checkEveryLinear(awq, PackedLayout.AWQ_GEMM, 64);
    }

    @Test
    void floatTensorsAreTheGgufTwinsInHalfPrecision() throws IOException {
        try (GgufFile twin = GgufFile.open(gguf); SafetensorsCheckpoint hf = SafetensorsCheckpoint.open(gptq)) {
            String[][] pairs = {{"token_embd.weight", "model.embed_tokens.weight"}, {"output.weight", "lm_head.weight"},
                    {"output_norm.weight", "model.norm.weight"},
                    {"blk.1.attn_norm.weight", "model.layers.1.input_layernorm.weight"},
                    {"blk.1.ffn_norm.weight", "model.layers.1.post_attention_layernorm.weight"}};
            for (String[] p : pairs) {
                MemorySegment want = twin.tensorData(p[0]);
                SafetensorsTensor t = hf.require(p[1]);
                assertEquals(SafetensorsDType.F16, t.dtype(), p[1]);
                long n = want.byteSize() / 4;
                assertEquals(n * 2, t.data().byteSize(), p[1] + " size");
                for (long i = 0; i < n; i++) {
                    short expected = Float.floatToFloat16(want.getAtIndex(F32, i));
                    if (t.data().getAtIndex(HALF, i) != expected) {
                        fail(p[1] + "[" + i + "] is " + Float.float16ToFloat(t.data().getAtIndex(HALF, i))
                                + ", the GGUF twin's " + p[0] + " rounds to " + Float.float16ToFloat(expected));
                    }
                }
            }
        }
    }

    @Test
    void packingGroupByGroupEqualsPackingTheWholeMatrix() {
        int rows = 24;
        int cols = 80;
        float[] w = new float[rows * cols];
        SyntheticWeights.fillTensor("test", "m.weight", 0, w, 0, w.length);
        for (boolean sym : new boolean[]{true, false}) {
            var whole = dev.infer4j.formats.int4.GptqPacker.pack(w, rows, cols, 4, 32, sym, null, true);
            PackedLinear mine = PackedLinear.pack(new Int4Quantization(PackedLayout.GPTQ, 32, sym), rows, cols,
                    (r, c0, n, into, off) -> System.arraycopy(w, r * cols + c0, into, off, n));
            assertArrayEquals(whole.qweight(), ints(mine.qweight()), "GPTQ qweight, sym " + sym);
            assertArrayEquals(whole.qzeros(), ints(mine.qzeros()), "GPTQ qzeros, sym " + sym);
            assertArrayEquals(whole.scales(), shorts(mine.scales()), "GPTQ scales, sym " + sym);
            assertArrayEquals(whole.groupIndex(), ints(mine.groupIndex()), "GPTQ g_idx, sym " + sym);
        }
        var whole = dev.infer4j.formats.int4.AwqPacker.pack(w, rows, cols, 32);
        PackedLinear mine = PackedLinear.pack(new Int4Quantization(PackedLayout.AWQ_GEMM, 32, false), rows, cols,
                (r, c0, n, into, off) -> System.arraycopy(w, r * cols + c0, into, off, n));
        assertArrayEquals(whole.qweight(), ints(mine.qweight()), "AWQ qweight");
        assertArrayEquals(whole.qzeros(), ints(mine.qzeros()), "AWQ qzeros");
        assertArrayEquals(whole.scales(), shorts(mine.scales()), "AWQ scales");
    }

    @Test
    void qkRowsFollowLlamaCppsConverterPermutation() {
        // llama.cpp: reshape(heads, 2, headDim/2, ...).swapaxes(1, 2): HF row (h, j, i) goes to GGUF row (h, i, j)
        int heads = 3;
        int headDim = 8;
        int rows = heads * headDim;
        int[] seen = new int[rows];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < 2; j++) {
                for (int i = 0; i < headDim / 2; i++) {
                    int hfRow = h * headDim + j * headDim / 2 + i;
                    int ggufRow = h * headDim + 2 * i + j;
                    assertEquals(ggufRow, SyntheticHfModel.ggufRow(hfRow, rows, heads), "HF row " + hfRow);
                    seen[ggufRow]++;
                }
            }
        }
        assertTrue(Arrays.stream(seen).allMatch(n -> n == 1), "a permutation");
        assertEquals(5, SyntheticHfModel.ggufRow(5, rows, 0), "other matrices keep their rows");
    }

    private static void checkEveryLinear(Path dir, PackedLayout layout, int groupSize) throws IOException {
        String[][] linears = {{"attn_q", "self_attn.q_proj"}, {"attn_k", "self_attn.k_proj"},
                {"attn_v", "self_attn.v_proj"}, {"attn_output", "self_attn.o_proj"}, {"ffn_gate", "mlp.gate_proj"},
                {"ffn_up", "mlp.up_proj"}, {"ffn_down", "mlp.down_proj"}};
        try (GgufFile twin = GgufFile.open(gguf); SafetensorsCheckpoint hf = SafetensorsCheckpoint.open(dir)) {
            for (int layer = 0; layer < SHAPE.blockCount(); layer++) {
                for (String[] l : linears) {
                    String ggufName = "blk." + layer + "." + l[0] + ".weight";
                    String prefix = "model.layers." + layer + "." + l[1];
                    var info = twin.requireTensor(ggufName);
                    int cols = (int) info.shape()[0];
                    int rows = (int) info.shape()[1];
                    int heads = l[0].equals("attn_q") ? SHAPE.headCount() : l[0].equals("attn_k") ? SHAPE.headCountKv() : 0;
                    checkLinear(twin.tensorData(info), hf, prefix, layout, groupSize, rows, cols, heads);
                }
            }
        }
    }

    /** Decodes every weight of one packed layer and compares it with the twin's F32 value. */
    private static void checkLinear(MemorySegment twin, SafetensorsCheckpoint hf, String prefix, PackedLayout layout,
                                    int groupSize, int rows, int cols, int heads) {
        MemorySegment qweight = hf.require(prefix + ".qweight").data();
        MemorySegment qzeros = hf.require(prefix + ".qzeros").data();
        MemorySegment scales = hf.require(prefix + ".scales").data();
        MemorySegment gIdx = layout == PackedLayout.GPTQ ? hf.require(prefix + ".g_idx").data() : null;
        int headDim = heads == 0 ? 0 : rows / heads;
        double worstRatio = 0;
        for (int r = 0; r < rows; r++) {
            int twinRow = r;
            if (heads > 0) {
                int h = r / headDim;
                int j = (r % headDim) / (headDim / 2);
                int i = r % (headDim / 2);
                twinRow = h * headDim + 2 * i + j;
            }
            for (int c = 0; c < cols; c++) {
                int q;
                int zero;
                int g;
                if (layout == PackedLayout.GPTQ) {
                    g = gIdx.getAtIndex(WORD, c);
                    assertEquals(c / groupSize, g, prefix + ".g_idx[" + c + "]");
                    q = (qweight.getAtIndex(WORD, (long) (c / 8) * rows + r) >>> (4 * (c % 8))) & 15;
                    zero = ((qzeros.getAtIndex(WORD, (long) g * (rows / 8) + r / 8) >>> (4 * (r % 8))) & 15) + 1;
                } else {
                    g = c / groupSize;
                    int nibble = nibbleOf(r % 8);
                    q = (qweight.getAtIndex(WORD, (long) c * (rows / 8) + r / 8) >>> (4 * nibble)) & 15;
                    zero = (qzeros.getAtIndex(WORD, (long) g * (rows / 8) + r / 8) >>> (4 * nibble)) & 15;
                }
                float scale = Float.float16ToFloat(scales.getAtIndex(HALF, (long) g * rows + r));
                float decoded = (q - zero) * scale;
                float expected = twin.getAtIndex(F32, (long) twinRow * cols + c);
                double ratio = Math.abs(decoded - expected) / scale;
                if (!(ratio <= 1.0)) {
                    fail(prefix + "[" + r + "][" + c + "] decodes to " + decoded + " (q " + q + ", zero " + zero
                            + ", scale " + scale + ") but the GGUF twin holds " + expected + " at row " + twinRow);
                }
                worstRatio = Math.max(worstRatio, ratio);
            }
        }
        // round-to-nearest: half a step, plus what rounding the scale to F16 adds at a clamped extreme
        assertTrue(worstRatio <= 0.51, prefix + ": worst error " + worstRatio + " steps, expected round-to-nearest");
    }

    private static int nibbleOf(int output) {
        for (int j = 0; j < 8; j++) {
            if (AWQ_ORDER[j] == output) {
                return j;
            }
        }
        throw new IllegalArgumentException();
    }

    private static int[] ints(MemorySegment s) {
        int[] out = new int[(int) (s.byteSize() / 4)];
        MemorySegment.copy(s, WORD, 0, out, 0, out.length);
        return out;
    }

    private static short[] shorts(MemorySegment s) {
        short[] out = new short[(int) (s.byteSize() / 2)];
        MemorySegment.copy(s, HALF, 0, out, 0, out.length);
        return out;
    }
}
