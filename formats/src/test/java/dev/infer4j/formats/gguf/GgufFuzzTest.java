package dev.infer4j.formats.gguf;

import dev.infer4j.formats.ModelFormatException;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Damaged GGUF files must be refused with {@link ModelFormatException} and nothing else: no
 * IndexOutOfBounds, no NegativeArraySize, no OutOfMemoryError from a length read out of the file.
 */
class GgufFuzzTest {
    private static final long ALLOCATION_SLACK = 4L << 20;

    private static byte[] realFile(String name) throws IOException {
        return Files.readAllBytes(SharedData.file(name));
    }

    /** Bytes the intact file costs to parse, the yardstick for its damaged copies. */
    private static long intactCost(byte[] bytes) {
        long before = allocatedBytes();
        GgufFile.parse(MemorySegment.ofArray(bytes), Path.of("intact")).close();
        return allocatedBytes() - before;
    }

    private static void parseExpectingOnlyFormatErrors(byte[] bytes, String what) {
        parseExpectingOnlyFormatErrors(bytes, what, 16L * bytes.length);
    }

    /**
     * Parses damaged bytes; returns normally if they parse, fails the test on any non-format exception or if
     * parsing allocated more than twice {@code intactCost} (what the undamaged file costs): damage must never
     * let a length read from the file drive an allocation.
     */
    private static void parseExpectingOnlyFormatErrors(byte[] bytes, String what, long intactCost) {
        long before = allocatedBytes();
        try (GgufFile f = GgufFile.parse(MemorySegment.ofArray(bytes), Path.of(what))) {
            for (GgufTensorInfo t : f.tensors()) {
                f.tensorData(t); // every tensor that parsed must lie inside the file
            }
        } catch (ModelFormatException expected) {
            assertTrue(expected.getMessage().startsWith(what), "message names the file: " + expected.getMessage());
        } catch (Throwable t) {
            fail(what + ": expected ModelFormatException or success, got " + t, t);
        }
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 2 * intactCost + ALLOCATION_SLACK,
                what + ": allocated " + allocated + " bytes parsing a " + bytes.length + "-byte file");
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    @Test
    void truncationAtEveryHeaderOffsetGivesOnlyFormatErrors() throws IOException {
        byte[] full = realFile("models/gguf/stories260K-Q4_0.gguf");
        int headerEnd;
        try (GgufFile f = GgufFile.parse(MemorySegment.ofArray(full), Path.of("x"))) {
            headerEnd = (int) f.dataOffset();
        }
        for (int cut = 0; cut <= headerEnd; cut++) {
            byte[] truncated = java.util.Arrays.copyOf(full, cut);
            try (GgufFile f = GgufFile.parse(MemorySegment.ofArray(truncated), Path.of("cut" + cut))) {
                fail("a file cut at byte " + cut + " (header ends at " + headerEnd + ") parsed: " + f.tensors().size());
            } catch (ModelFormatException expected) {
                // The offset is where reading failed, or where a tensor that no longer fits should start.
                assertTrue(expected.offset() >= 0 && expected.offset() <= Math.max(cut, headerEnd),
                        "error offset " + expected.offset() + " for a file cut at " + cut);
            }
        }
        // Cutting into the tensor data must be caught too: the last tensor no longer fits.
        for (int cut = headerEnd + 1; cut < full.length; cut += 997) {
            parseExpectingOnlyFormatErrors(java.util.Arrays.copyOf(full, cut), "data-cut" + cut);
        }
    }

    @Test
    void randomBitFlipsInTheHeaderGiveOnlyFormatErrors() throws IOException {
        for (String name : new String[] {"models/gguf/stories260K-Q4_0.gguf", "vocab/ggml-vocab-gpt-2.gguf"}) {
            byte[] full = realFile(name);
            int headerEnd;
            try (GgufFile f = GgufFile.parse(MemorySegment.ofArray(full), Path.of("x"))) {
                headerEnd = (int) Math.min(f.dataOffset(), full.length);
            }
            long cost = intactCost(full);
            SplittableRandom random = new SplittableRandom(name.hashCode());
            for (int trial = 0; trial < 400; trial++) {
                byte[] damaged = full.clone();
                int flips = 1 + random.nextInt(4);
                for (int i = 0; i < flips; i++) {
                    int at = random.nextInt(headerEnd);
                    damaged[at] ^= (byte) (1 << random.nextInt(8));
                }
                parseExpectingOnlyFormatErrors(damaged, name + "#flip" + trial, cost);
            }
        }
    }

    @Test
    void hostileLengthsAreRefusedBeforeAllocating() throws IOException {
        byte[] full = realFile("models/gguf/stories260K.gguf");
        // Overwrite every 8-byte-aligned header word in turn with huge or negative counts.
        int headerEnd;
        try (GgufFile f = GgufFile.parse(MemorySegment.ofArray(full), Path.of("x"))) {
            headerEnd = (int) f.dataOffset();
        }
        long[] hostile = {-1L, Long.MAX_VALUE, 1L << 40, 0x7FFF_FFFFL, 0xFFFF_FFFFL};
        long cost = intactCost(full);
        for (int at = 8; at + 8 <= Math.min(headerEnd, 4096); at += 4) {
            for (long value : hostile) {
                byte[] damaged = full.clone();
                for (int b = 0; b < 8; b++) {
                    damaged[at + b] = (byte) (value >>> (8 * b));
                }
                parseExpectingOnlyFormatErrors(damaged, "word@" + at + "=" + value, cost);
            }
        }
    }
}
