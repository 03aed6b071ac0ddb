package dev.infer4j.kernels.cpu.matmul;

/**
 * The lane layout in which a kernel folds four 32-value blocks into one vector of sixteen lanes, so that one
 * conversion and one fused multiply-add serve four blocks (Q4_0, see {@code Q4_0Matmul}).
 *
 * <p>A row's blocks go in groups of four, the last group padded with absent blocks. Lane {@code l} of a group
 * belongs to block {@link #blockOfLane blockOfLane(l)} (lanes 0–3 to block 0, 4–7 to block 2, 8–11 to block 1,
 * 12–15 to block 3: the order two rounds of pairwise folding leave them in) and sums that block's eight products
 * whose index within the block is {@code l mod 4}. {@link PreparedInput} keeps per token and group the
 * activation side of this layout: the group's 128 quants, each lane's block scale and Q4_0's nibble bias, in
 * {@link #slot slots} that put the same group of four consecutive tokens side by side.
 */
final class QuadGroups {

    /** Blocks per group. */
    static final int BLOCKS = 4;
    /** Lanes per group. */
    static final int LANES = 16;

    private static final int[] BLOCK_OF_QUARTER = {0, 2, 1, 3};

    private QuadGroups() {
    }

    /** Groups in a row of {@code cols} values (a multiple of 32), counting a last incomplete one. */
    static int groups(int cols) {
        return (cols / 32 + BLOCKS - 1) / BLOCKS;
    }

    /**
     * Where token {@code token}'s group {@code group} sits among the prepared groups of {@code tokens} tokens,
     * counted in groups: tokens go in quads (0–3, 4–7, ...), and within a quad group {@code g} of its tokens
     * comes before group {@code g+1}. A kernel walking a row then steps through one token's groups, or four
     * tokens' together, with a single index and a fixed stride ({@link #quadWidth} groups), while offsets within
     * a group stay constants that C2 turns into plain displacements.
     *
     * <p>A last quad short of four tokens holds only the tokens there are, so a lone token's groups lie side by
     * side. Spread four slots apart, as in a full quad, one token's quants of a 5632-wide row spanned 44 KB, more
     * than a 32 KB L1 holds, and every row of the FFN down product read them again from L2.
     */
    static int slot(int token, int group, int groups, int tokens) {
        int first = token - token % 4;
        return first * groups + group * quadWidth(token, tokens) + token % 4;
    }

    /** Tokens in the quad of {@code token} when {@code tokens} are prepared: four, or fewer in a last quad. */
    static int quadWidth(int token, int tokens) {
        return Math.min(4, tokens - (token - token % 4));
    }

    /** The block of its group (0..3) whose products lane {@code lane} sums. */
    static int blockOfLane(int lane) {
        return BLOCK_OF_QUARTER[lane / 4];
    }
}
