package dev.infer4j.kernels.cpu.int4;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link ReadAhead#lines} walks a stretch of rows line by line in address order: the right lines, each once, none
 * past the last row's last line. Each line's first int holds its own number, so the sum returned says which lines
 * were read; the segment ends right after the last line read, so one read too far throws. {@link ReadAhead#ahead}
 * reads the int its distance ahead, or the segment's last int, and nothing past its end.
 */
class ReadAheadTest {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int ROWS = 4;
    private static final int LINES_PER_ROW = 3;
    /** Two unread lines between rows, as when a sweep covers only part of each row. */
    private static final long ROW_BYTES = (LINES_PER_ROW + 2L) * ReadAhead.LINE;
    private static final long BASE = 40;

    @Test
    void readsTheStretchFrontToBackAcrossRowEnds() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = stretch(arena);
            // lines 2..6: the last of row 0, all three of row 1, the first of row 2
            assertEquals(number(0, 2) + number(1, 0) + number(1, 1) + number(1, 2) + number(2, 0),
                    ReadAhead.lines(data, BASE, ROW_BYTES, LINES_PER_ROW, 2, 5));
            assertEquals(number(3, 2), ReadAhead.lines(data, BASE, ROW_BYTES, LINES_PER_ROW, 11, 1));
        }
    }

    @Test
    void stepsOfFourOrTwoReadEveryLineOnce() {
        int all = 0;
        for (int row = 0; row < ROWS; row++) {
            for (int line = 0; line < LINES_PER_ROW; line++) {
                all += number(row, line);
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = stretch(arena);
            for (int step : new int[] {4, 2}) {
                int sum = 0;
                for (int t = 0; t < ROWS * LINES_PER_ROW; t += step) {
                    sum += ReadAhead.lines(data, BASE, ROW_BYTES, LINES_PER_ROW, t, step);
                }
                assertEquals(all, sum, "steps of " + step);
            }
        }
    }

    @Test
    void aheadReadsItsDistanceAheadOrElseTheLastWholeInt() {
        try (Arena arena = Arena.ofConfined()) {
            long size = ReadAhead.STREAM_AHEAD + 64;
            MemorySegment data = arena.allocate(size);
            for (long at = 0; at + 4 <= size; at += 4) {
                data.set(INT, at, (int) at + 1);
            }
            assertEquals(ReadAhead.STREAM_AHEAD + 1, ReadAhead.ahead(data, 0));
            assertEquals(ReadAhead.STREAM_AHEAD + 40 + 1, ReadAhead.ahead(data, 40));
            // the last whole int, then positions whose target runs past the end (partly or wholly): the last whole
            // int again, never a read past the end (which would throw)
            int last = (int) size - 4 + 1;
            assertEquals(last, ReadAhead.ahead(data, 60));
            assertEquals(last, ReadAhead.ahead(data, 61));
            assertEquals(last, ReadAhead.ahead(data, 64));
            assertEquals(last, ReadAhead.ahead(data, size - 4));
        }
    }

    @Test
    void narrowSweepsReadWholeRowsAheadAndWideOnesTheirFirstLines() {
        assertEquals(16, ReadAhead.linesPerRowAhead(2048));
        assertEquals(ReadAhead.MAX_OUTPUTS / 128, ReadAhead.linesPerRowAhead(ReadAhead.MAX_OUTPUTS));
        assertEquals(ReadAhead.WIDE_LINES, ReadAhead.linesPerRowAhead(ReadAhead.MAX_OUTPUTS + 128));
        assertEquals(ReadAhead.WIDE_LINES, ReadAhead.linesPerRowAhead(5632));
    }

    /** Rows from {@link #BASE}; the segment ends four bytes into the last row's last line. */
    private static MemorySegment stretch(Arena arena) {
        long lastLine = BASE + (ROWS - 1) * ROW_BYTES + (LINES_PER_ROW - 1L) * ReadAhead.LINE;
        MemorySegment data = arena.allocate(lastLine + 4);
        for (int row = 0; row < ROWS; row++) {
            for (int line = 0; line < LINES_PER_ROW; line++) {
                data.set(INT, BASE + row * ROW_BYTES + (long) line * ReadAhead.LINE, number(row, line));
            }
        }
        return data;
    }

    private static int number(int row, int line) {
        return 1 << (row * LINES_PER_ROW + line);
    }
}
