package dev.infer4j.formats.tokenizer;

/**
 * llama.cpp's SentencePiece-style encoder ({@code llm_tokenizer_spm}): starting from single code points,
 * repeatedly merge the adjacent pair whose concatenation is the highest-scoring token (leftmost on ties);
 * whatever is left that is not a token is spelled with byte tokens {@code <0xXX>}.
 *
 * <p>The caller has already prefixed the space and replaced spaces with {@code ▁}.
 */
final class SentencePieceEncoder implements FragmentEncoder {
    private final Vocabulary vocab;
    private final int[] byteTokens = new int[256];

    SentencePieceEncoder(Vocabulary vocab) {
        this.vocab = vocab;
        for (int b = 0; b < 256; b++) {
            int id = vocab.lookup.find(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = vocab.lookup.find(String.valueOf((char) b));
            }
            byteTokens[b] = id;
        }
    }

    @Override
    public void encode(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] end = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, at = 0; i < n; i++) {
            start[i] = at;
            at += Character.charCount(text.codePointAt(at));
            end[i] = at;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        BigramHeap queue = new BigramHeap();
        for (int i = 1; i < n; i++) {
            offer(text, i - 1, i, start, end, queue);
        }
        while (!queue.isEmpty()) {
            queue.pop();
            int left = BigramHeap.left(queue.topKey);
            int right = queue.topRight;
            int leftLength = end[left] - start[left];
            int rightLength = end[right] - start[right];
            if (leftLength == 0 || rightLength == 0 || leftLength + rightLength != queue.topLength) {
                continue;
            }
            end[left] = end[right];
            end[right] = start[right];
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            offer(text, prev[left], left, start, end, queue);
            offer(text, left, next[left], start, end, queue);
        }
        for (int i = n == 0 ? -1 : 0; i != -1; i = next[i]) {
            int id = vocab.lookup.find(text, start[i], end[i]);
            if (id >= 0) {
                out.add(id);
            } else {
                spellBytes(text.substring(start[i], end[i]), out);
            }
        }
    }

    private void offer(String text, int left, int right, int[] start, int[] end, BigramHeap queue) {
        if (left < 0 || right < 0) {
            return;
        }
        int id = vocab.lookup.find(text, start[left], end[right]);
        if (id < 0) {
            return;
        }
        queue.push(BigramHeap.key(BigramHeap.descendingScore(vocab.scores[id]), left), right,
                end[right] - start[left]);
    }

    private void spellBytes(String piece, IntList out) {
        byte[] bytes = piece.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : bytes) {
            int id = byteTokens[b & 0xFF];
            if (id < 0) {
                throw new UnencodableTextException(String.format(
                        "the vocabulary has no token for '%s' and no byte-fallback token <0x%02X>", piece, b & 0xFF));
            }
            out.add(id);
        }
    }
}
