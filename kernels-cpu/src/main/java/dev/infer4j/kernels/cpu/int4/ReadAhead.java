package dev.infer4j.kernels.cpu.int4;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads packed weights a little ahead of the loop that multiplies them, one int per cache line, so they arrive from
 * memory while the loop works on the lines before them.
 *
 * <p>Why the one-token AWQ sweep needs it: it takes four input rows at a time, so inside one stretch of four rows it
 * reads four streams a row apart (a row of a 2048-output matrix is one kilobyte). The hardware prefetchers do not
 * follow that pattern into the next stretch, and the sweep ran at 0.6x of Q4_0's speed from memory while it matched
 * Q4_0 on weights already in cache (Zen 4, one thread). Reading the next stretch's lines front to back, a few per
 * step, hands the prefetchers one sequential stream; the sweep then ran 1.35–1.43x faster from memory. The order
 * is what matters: reading the same lines in the sweep's own order (line {@code i} of each of the next four rows at
 * step {@code i}) gave most of the gain back (388–398 µs against 267–277 for a 2048×2048 product, one thread).
 *
 * <p>The ints read are summed and the sum returned, so that the compiler cannot drop the loads as unused.
 */
final class ReadAhead {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Bytes per cache line on x86 and most Arm cores; where lines are longer, some reads are only redundant. */
    static final int LINE = 64;
    /**
     * Most outputs per sweep that reads ahead. The sweep's sums (four bytes an output) and two stretches of four
     * rows (another four bytes an output) must stay in a 32 KiB L1 with room to spare: 3072 outputs take 24 KiB.
     * A FFN matrix of 5632 outputs overflows it, and reading all of the next stretch ahead there made the sweep
     * slower (0.88x at two threads, Zen 4), so wider sweeps read only {@link #WIDE_LINES} lines of each next row.
     */
    static final int MAX_OUTPUTS = 3072;

    /**
     * Lines read ahead from the start of each of the next four rows by a sweep wider than {@link #MAX_OUTPUTS}.
     * Timed against each other in one JVM, alternating product by product (5632×2048, two threads, from memory,
     * Zen 4), a sweep took 430–447 µs reading none, 402–413 reading one, two or four, but 448–459 reading three
     * and 529–555 reading eight: the effect is real but sensitive to the count, so the count is the measured one.
     */
    static final int WIDE_LINES = 2;

    /**
     * How far ahead of its own loads a single sequential sweep reads ({@link #ahead}): four lines. The one-token
     * GPTQ sweep reads one stream, a packed row at a time, yet on Zen 4 it ran at 0.55–0.75x of Q4_0's speed from
     * memory and even from L3. Reading one int this far ahead each step made a 5632×2048 product 1.25–1.75x
     * faster and a 2048×2048 one 1.3–1.5x, from memory and from L3 alike; distances of two to six lines measured
     * alike, and 16 lines kept only part of the gain.
     */
    static final int STREAM_AHEAD = 4 * LINE;

    private ReadAhead() {
    }

    /**
     * Lines of each of the next four rows that a four-row AWQ sweep over {@code outputs} outputs reads ahead: all
     * of a row's {@code outputs / 128} lines up to {@link #MAX_OUTPUTS} outputs, the first {@link #WIDE_LINES}
     * past it.
     */
    static int linesPerRowAhead(int outputs) {
        int linesPerRow = outputs / (2 * LINE);
        return outputs <= MAX_OUTPUTS ? linesPerRow : Math.min(linesPerRow, WIDE_LINES);
    }

    /**
     * Reads the int {@link #STREAM_AHEAD} bytes past {@code at}, or {@code data}'s last int where that lies past its
     * end; a sweep calls it with the position of each step's load.
     *
     * @return the int read, for the caller to keep
     */
    static int ahead(MemorySegment data, long at) {
        // clamped, not branched: a sweep loop with this branch got a profiled loop predicate from C2 that failed
        // on every product of a matrix small enough for its sweeps to reach the end of the segment, and the
        // method was deoptimized and recompiled over and over (GPTQ 256x256 took 0.5-1 ms instead of microseconds)
        return data.get(INT, Math.min(at + STREAM_AHEAD, data.byteSize() - Integer.BYTES));
    }

    /**
     * Reads lines {@code [first, first + count)} of a stretch of rows from byte {@code base}: rows {@code rowBytes}
     * apart, {@code linesPerRow} lines read from each, numbered along a row and then on to the next, so rising
     * numbers walk the stretch front to back. One division per call, none per line.
     *
     * @return the sum of the ints read, for the caller to keep
     */
    static int lines(MemorySegment data, long base, long rowBytes, int linesPerRow, int first, int count) {
        int row = first / linesPerRow;
        int line = first - row * linesPerRow;
        long at = base + row * rowBytes + (long) LINE * line;
        int sum = 0;
        for (int i = 0; i < count; i++) {
            sum += data.get(INT, at);
            at += LINE;
            if (++line == linesPerRow) {
                line = 0;
                at += rowBytes - (long) LINE * linesPerRow;
            }
        }
        return sum;
    }
}
