package dev.infer4j.bench.roofline;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BandwidthProbeTest {

    @Test
    void vectorSumReadsEveryByteOfItsSlice() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 4096;
            MemorySegment m = arena.allocate(n * 8L, 64);
            long expected = 0;
            for (int i = 0; i < n; i++) {
                m.setAtIndex(ValueLayout.JAVA_LONG, i, i * 31L + 7);
                expected += i * 31L + 7;
            }
            assertEquals(expected, BandwidthProbe.sum(m, 0, n * 8L));
            long upperHalf = 0;
            for (int i = n / 2; i < n; i++) {
                upperHalf += i * 31L + 7;
            }
            assertEquals(upperHalf, BandwidthProbe.sum(m, n * 4L, n * 4L));
        }
    }

    @Test
    void probeReportsAPositiveFiniteBandwidth() {
        double gbps = new BandwidthProbe(16L << 20, 2).measureGBps(1, 3);
        assertTrue(gbps > 0 && Double.isFinite(gbps), "bandwidth " + gbps);
    }
}
