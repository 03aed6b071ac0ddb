package dev.infer4j.formats.tokenizer;

import java.util.Arrays;

/**
 * The special ids of a vocabulary. An absent id is -1.
 *
 * @param bos            beginning of sequence
 * @param eos            end of sequence
 * @param eot            end of turn (e.g. {@code <|eot_id|>}), if the vocabulary has one
 * @param unknown        the unknown token
 * @param padding        padding
 * @param addBos         whether encoding with {@code addSpecial} prepends BOS
 * @param addEos         whether encoding with {@code addSpecial} appends EOS
 * @param endOfGeneration every id that ends generation (EOS, EOT and similar), sorted
 */
public record SpecialTokens(int bos, int eos, int eot, int unknown, int padding, boolean addBos, boolean addEos,
                            int[] endOfGeneration) {

    /** Copies and sorts the end-of-generation ids. */
    public SpecialTokens {
        endOfGeneration = endOfGeneration.clone();
        Arrays.sort(endOfGeneration);
    }

    /** The end-of-generation ids (a copy). */
    @Override
    public int[] endOfGeneration() {
        return endOfGeneration.clone();
    }

    /** True if generating {@code token} ends the sequence. */
    public boolean isEndOfGeneration(int token) {
        return Arrays.binarySearch(endOfGeneration, token) >= 0;
    }
}
