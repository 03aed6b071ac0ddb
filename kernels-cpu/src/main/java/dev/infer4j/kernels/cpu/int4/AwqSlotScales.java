package dev.infer4j.kernels.cpu.int4;

import dev.infer4j.formats.int4.GroupQuantizedMatrix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * An AWQ matrix's F16 scales rearranged into the order in which the one-token sweep holds its sums, so that the
 * sweep can scale each group's sums without first putting them into output order.
 *
 * <p>The sweep keeps a run of 128 outputs as eight vectors of sixteen lanes, vector {@code i} lane {@code l} holding
 * output {@code 8l + i} ({@link AwqOrder}). In the file the scales of a group lie in output order, so scaling used to
 * wait until the sums had been reordered, for every group. Here they lie as the sums do, run by run:
 * {@code at((g·runs + b)·128 + 16i + l) = scale[g][128b + 8l + i]}, and the sums are reordered once per task instead
 * of once per group. The copy takes as many bytes as the file's scales (two per output per group, 1/32 of the
 * packed weights at group size 128) and lives until the weight is unreachable; outputs past the last whole run have
 * none (they take the scalar path).
 */
final class AwqSlotScales {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Outputs per run: sixteen words of eight. */
    static final int RUN = 128;

    private AwqSlotScales() {
    }

    /** The rearranged scales of {@code m}, an AWQ matrix. */
    static MemorySegment of(GroupQuantizedMatrix m) {
        int rows = m.rows();
        int groups = m.groups();
        int runs = rows / RUN;
        MemorySegment src = m.scales();
        long bytes = Math.max(Short.BYTES, (long) groups * runs * RUN * Short.BYTES);
        MemorySegment dst = Arena.ofAuto().allocate(bytes, 64);
        for (int g = 0; g < groups; g++) {
            for (int b = 0; b < runs; b++) {
                long to = ((long) g * runs + b) * RUN;
                long from = (long) g * rows + (long) RUN * b;
                for (int i = 0; i < 8; i++) {
                    for (int l = 0; l < 16; l++) {
                        dst.setAtIndex(HALF, to + 16 * i + l, src.getAtIndex(HALF, from + 8 * l + i));
                    }
                }
            }
        }
        return dst;
    }

    /** The byte offset of run {@code run}'s slot-order scales of group {@code g}, for a matrix of {@code rows}. */
    static long offset(int rows, int g, int run) {
        return ((long) g * (rows / RUN) + run) * RUN * Short.BYTES;
    }
}
