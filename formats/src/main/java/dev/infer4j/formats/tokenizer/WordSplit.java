package dev.infer4j.formats.tokenizer;

/**
 * One step of a pre-tokenizer: refines each segment of the text into pieces (matches and the gaps between
 * them), as llama.cpp's {@code unicode_regex_split} applies one regex after another.
 */
sealed interface WordSplit permits Gpt2WordSplit, Llama3WordSplit, RegexWordSplit {

    /**
     * @param text     the text
     * @param segments lengths in code points of the current segments, covering the text in order
     * @param out      receives the lengths of the refined segments
     */
    void split(SplitText text, IntList segments, IntList out);

    /** The step llama.cpp runs for a regex: a hand-written matcher for GPT-2's and Llama 3's, else the regex. */
    static WordSplit of(String llamaRegex) {
        if (llamaRegex.equals(Gpt2WordSplit.REGEX)) {
            return new Gpt2WordSplit();
        }
        if (llamaRegex.equals(Llama3WordSplit.REGEX) || llamaRegex.equals(Llama3WordSplit.REGEX_CASE_INSENSITIVE)) {
            return new Llama3WordSplit();
        }
        return RegexWordSplit.of(llamaRegex);
    }
}
