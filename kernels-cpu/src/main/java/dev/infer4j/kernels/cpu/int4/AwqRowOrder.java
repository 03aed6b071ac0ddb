package dev.infer4j.kernels.cpu.int4;

/**
 * The order in which every AWQ loop adds up a group's input rows, so that each output's sum comes out the same bit
 * for bit whichever loop computed it (one token or a tile of tokens, 512- or 256-bit vectors).
 *
 * <p>A group of {@code L} rows with {@code L} a multiple of eight is taken in {@code S = L/8} passes of eight rows
 * {@code S} apart: pass {@code k} adds rows {@code k, k+S, …, k+7S}. The one-token sweep reads a pass's eight rows
 * side by side, and with rows {@code S} apart each of its eight read streams carries straight on into the next row
 * at the next pass; with eight consecutive rows per pass, seven of the streams ended at every pass and the hardware
 * prefetchers kept starting over. Reading the same bytes, the strided passes made the one-token products from
 * memory 1.13–1.27x faster (same JVM, alternating, Zen 4, µs: 5632×2048 on one thread 811 → 662 and 693 → 566, on
 * two 431 → 364 and 364 → 296; 2048×5632 on two 412 → 339 and 359 → 317; 2048×2048 on two 226 → 136), and batch-1
 * decode of a 1.1B-shaped AWQ model went from 0.96x to 1.12x of the same shape in Q4_0 (lockstep). A pure-read
 * probe shows the same: one int per line, eight consecutive 1024-byte rows per pass read 10 GB/s, eight rows 16
 * apart 21 GB/s. A group whose length is not a multiple of eight (a whole-row group over an odd width, or a short
 * last group) is added in plain row order.
 */
final class AwqRowOrder {
    private AwqRowOrder() {
    }

    /** The distance {@code S} between the rows of a pass over a group of {@code inputs} rows, or 0 for row order. */
    static int stride(int inputs) {
        return inputs % 8 == 0 ? inputs / 8 : 0;
    }

    /** The {@code i}-th row added of a group whose {@link #stride} is {@code stride}. */
    static int row(int i, int stride) {
        return stride == 0 ? i : (i & 7) * stride + (i >>> 3);
    }
}
