package dev.infer4j.runtime.sampling;

/**
 * The recent tokens of one sequence, as the penalties and {@code minTokens} see them: the prompt, then every
 * generated token, kept in a ring of fixed capacity (the oldest fall out). Like llama.cpp's server, which
 * feeds the prompt into its sampler before generating, prompt tokens count for the repetition, frequency and
 * presence penalties; only generated tokens count for {@code minTokens}.
 *
 * <p>The sampler only reads it: the caller adds each token it accepts with {@link #addGenerated}. Not
 * thread-safe; it belongs to its sequence's step loop.
 */
public final class TokenHistory {

    private final int[] ring;
    private int size;
    private int next;
    private int generated;

    /**
     * @param capacity how many recent tokens to keep; at least the {@link SamplingParams#repeatLastN()} of the
     *                 chains that read it ({@code -1} reads whatever is kept)
     */
    public TokenHistory(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
        }
        this.ring = new int[capacity];
    }

    /** Records a prompt token (penalised, not counted as generated). */
    public void addPrompt(int token) {
        push(token);
    }

    /** Records prompt tokens in order. */
    public void addPrompt(int[] tokens) {
        for (int t : tokens) {
            push(t);
        }
    }

    /** Records a generated token. */
    public void addGenerated(int token) {
        push(token);
        generated++;
    }

    /** Forgets everything, as for a new request. */
    public void clear() {
        size = 0;
        next = 0;
        generated = 0;
    }

    /** How many tokens are kept (at most {@link #capacity()}). */
    public int size() {
        return size;
    }

    /** The most tokens kept. */
    public int capacity() {
        return ring.length;
    }

    /** How many generated tokens were added since construction or {@link #clear()}. */
    public int generatedCount() {
        return generated;
    }

    /** The {@code back}-th most recent token: 0 is the last one added. */
    public int recent(int back) {
        if (back < 0 || back >= size) {
            throw new IndexOutOfBoundsException("recent(" + back + ") with " + size + " tokens kept");
        }
        int i = next - 1 - back;
        return ring[i < 0 ? i + ring.length : i];
    }

    private void push(int token) {
        if (ring.length == 0) {
            return;
        }
        ring[next] = token;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (size < ring.length) {
            size++;
        }
    }
}
