package dev.infer4j.formats.synth;

/**
 * Makes a synthetic model's later blocks add little to the residual stream: from block {@code firstBlock} on,
 * the two matrices that write into it ({@code attn_output} and {@code ffn_down}) are drawn with
 * {@code scale} times the usual standard deviation (the same random values, scaled).
 *
 * <p>Why: with every block drawn alike, a random model's output depends chaotically on all of its blocks, so a
 * draft made of its first blocks ({@code infer4j draft --layers N}) agrees with it no more than chance and a
 * speculative-decoding benchmark measures only rejections. Damping blocks {@code N} and up makes the first
 * {@code N} blocks decide most of the output, as an early exit of a trained model partly does; {@code scale}
 * sets how often the draft's greedy choice differs from the target's.
 *
 * @param firstBlock the first damped block, from 0
 * @param scale      the factor on the damped matrices' standard deviation, in (0, 1]
 */
public record LateBlockDamping(int firstBlock, double scale) {

    /** No damping: every block drawn alike. */
    public static final LateBlockDamping NONE = new LateBlockDamping(Integer.MAX_VALUE, 1.0);

    /**
     * @throws IllegalArgumentException for a negative first block or a scale outside (0, 1]
     */
    public LateBlockDamping {
        if (firstBlock < 0) {
            throw new IllegalArgumentException("the first damped block must be 0 or more, got " + firstBlock);
        }
        if (!(scale > 0 && scale <= 1)) {
            throw new IllegalArgumentException("the damping scale must be in (0, 1], got " + scale);
        }
    }

    /**
     * Checks that this damping starts within {@code shape}'s blocks ({@link #NONE} always does).
     *
     * @throws IllegalArgumentException if the first damped block is past the shape's last one
     */
    public void requireWithin(ModelShape shape) {
        if (this != NONE && firstBlock >= shape.blockCount()) {
            throw new IllegalArgumentException("damping from block " + firstBlock + ", but shape " + shape.name()
                    + " has " + shape.blockCount() + " blocks (0 to " + (shape.blockCount() - 1) + ")");
        }
    }

    /** The factor on the values of the tensor with this GGUF name: {@link #scale} or 1. */
    public double factorFor(String tensorName) {
        if (!tensorName.startsWith("blk.")
                || !(tensorName.endsWith(".attn_output.weight") || tensorName.endsWith(".ffn_down.weight"))) {
            return 1.0;
        }
        int block = Integer.parseInt(tensorName.substring(4, tensorName.indexOf('.', 4)));
        return block >= firstBlock ? scale : 1.0;
    }
}
