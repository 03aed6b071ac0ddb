package dev.infer4j.formats.safetensors;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class SafetensorsFileTest {

    @Test
    void readsTheTinyStoriesCheckpointInPlace() throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(SharedData.file("models/safetensors/TinyStories-656K-F32"))) {
            SafetensorsTensor head = c.require("lm_head.weight");
            assertEquals(SafetensorsDType.F32, head.dtype());
            assertArrayEquals(new long[] {2048, 128}, head.shape());
            assertEquals(2048L * 128 * 4, head.data().byteSize());
            assertTrue(c.tensor("model.layers.1.mlp.down_proj.weight").isPresent());
        }
    }

    @Test
    void readsGptqPackedTensorsWithTheirIntegerTypes() throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(
                SharedData.file("models/safetensors/TinyStories-656K-GPTQ-4bit-g128-sym-RTN"))) {
            SafetensorsTensor qweight = c.require("model.layers.0.self_attn.q_proj.qweight");
            assertEquals(SafetensorsDType.I32, qweight.dtype());
            assertArrayEquals(new long[] {128 / 8, 128}, qweight.shape(), "eight 4-bit values per int32 along the input");
            assertEquals(SafetensorsDType.I32, c.require("model.layers.0.mlp.down_proj.g_idx").dtype());
        }
    }

    @Test
    void writeThenReadGivesTheSameTensorsAndMetadata(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("x.safetensors");
        MemorySegment a = MemorySegment.ofArray(new float[] {1, 2, 3, 4, 5, 6});
        MemorySegment b = MemorySegment.ofArray(new short[] {7, 8});
        new SafetensorsWriter().metadata("format", "pt").add("a", SafetensorsDType.F32, new long[] {2, 3}, a)
                .add("b", SafetensorsDType.BF16, new long[] {2}, b).write(out);
        try (SafetensorsFile f = SafetensorsFile.open(out)) {
            assertEquals("pt", f.metadata().get("format"));
            assertEquals(-1L, a.mismatch(f.tensor("a").orElseThrow().data()));
            assertEquals(-1L, b.mismatch(f.tensor("b").orElseThrow().data()));
            assertArrayEquals(new long[] {2, 3}, f.tensor("a").orElseThrow().shape());
        }
    }

    @Test
    void shardedCheckpointsAreJoinedThroughTheirIndex(@TempDir Path dir) throws IOException {
        MemorySegment x = MemorySegment.ofArray(new float[] {1, 2});
        new SafetensorsWriter().add("w1", SafetensorsDType.F32, new long[] {2}, x).write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().add("w2", SafetensorsDType.F32, new long[] {2}, x).write(dir.resolve("model-00002-of-00002.safetensors"));
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), "{\"metadata\":{},\"weight_map\":{"
                + "\"w1\":\"model-00001-of-00002.safetensors\",\"w2\":\"model-00002-of-00002.safetensors\"}}");
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(dir)) {
            assertEquals(2, c.tensors().size());
            assertEquals(8, c.require("w2").data().byteSize());
        }
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX), "{\"weight_map\":{\"w1\":\"../../etc/passwd\"}}");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        assertTrue(e.getMessage().contains("not a file beside the index"), e.getMessage());
    }

    private static MemorySegment file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return MemorySegment.ofArray(b.array());
    }

    private static String refusal(MemorySegment bytes) {
        return assertThrows(ModelFormatException.class, () -> SafetensorsFile.parse(bytes, Path.of("bad.safetensors")))
                .getMessage();
    }

    @Test
    void damagedHeadersAreRefusedWithWhatIsWrong() {
        assertTrue(refusal(MemorySegment.ofArray(new byte[3])).contains("the header length alone takes 8"));
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        assertTrue(refusal(MemorySegment.ofArray(huge.array())).contains("header length"));
        assertTrue(refusal(file("{not json", 0)).contains("not valid JSON"));
        assertTrue(refusal(file("{\"t\":{\"dtype\":\"F17\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4))
                .contains("unknown dtype"));
        assertTrue(refusal(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4))
                .contains("outside the 4 data bytes"));
        assertTrue(refusal(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 8))
                .contains("needs 8"));
        assertTrue(refusal(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).contains("overlap"));
        assertTrue(refusal(file("{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4))
                .contains("not a non-negative integer"));
    }

    @Test
    void randomDamageGivesOnlyFormatErrors() throws IOException {
        byte[] real = Files.readAllBytes(SharedData.file("models/safetensors/TinyStories-656K-AWQ-4bit-g128-gemm-RTN/model.safetensors"));
        long headerEnd = 8 + ByteBuffer.wrap(real, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 300; trial++) {
            byte[] damaged = real.clone();
            int at = random.nextInt((int) headerEnd);
            damaged[at] ^= (byte) (1 << random.nextInt(8));
            try (SafetensorsFile f = SafetensorsFile.parse(MemorySegment.ofArray(damaged), Path.of("fuzz"))) {
                assertTrue(f.tensors().size() > 0);
            } catch (ModelFormatException expected) {
                assertTrue(expected.getMessage().startsWith("fuzz"), expected.getMessage());
            } catch (RuntimeException other) {
                fail("flip at byte " + at + " escaped as " + other, other);
            }
        }
    }
}
