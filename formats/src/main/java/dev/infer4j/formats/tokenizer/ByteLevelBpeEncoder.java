package dev.infer4j.formats.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * llama.cpp's byte-level BPE encoder ({@code llm_tokenizer_bpe}): the pre-tokenizer splits the text into
 * words; each word's UTF-8 bytes start as one symbol each, and the adjacent pair with the lowest merge rank is
 * merged (leftmost on ties) until no pair has a rank. Each final symbol is its token; a symbol that is not a
 * token is spelled by the single-character tokens of its ASCII bytes, and its other bytes are dropped, as in
 * llama.cpp.
 *
 * <p>Symbols are identified by interned ids (token ids, extended past the vocabulary for merge parts that are
 * not tokens), so a merge is one table lookup and no string is built while encoding.
 */
final class ByteLevelBpeEncoder implements FragmentEncoder {
    private final Vocabulary vocab;
    private final PreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    private final MergeTable merges;
    private final int[] byteSymbols = new int[256];
    private final int[] asciiTokens = new int[128];

    /**
     * @param mergeLines {@code tokenizer.ggml.merges}: "left right" in rank order
     */
    ByteLevelBpeEncoder(Vocabulary vocab, String[] mergeLines, PreTokenizer preTokenizer, boolean ignoreMerges) {
        this.vocab = vocab;
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        Map<String, Integer> extra = new HashMap<>();
        merges = new MergeTable(mergeLines.length);
        for (int rank = 0; rank < mergeLines.length; rank++) {
            String line = mergeLines[rank];
            int space = line.indexOf(' ', 1);
            if (space < 0) {
                continue; // llama.cpp files it under an empty pair, which no symbol pair can match
            }
            String first = line.substring(0, space);
            String second = line.substring(space + 1);
            merges.putIfAbsent(intern(first, extra), intern(second, extra), rank, intern(first + second, extra));
        }
        for (int b = 0; b < 256; b++) {
            String s = String.valueOf(ByteLevelAlphabet.encode(b));
            Integer id = vocab.lookup.find(s) >= 0 ? Integer.valueOf(vocab.lookup.find(s)) : extra.get(s);
            byteSymbols[b] = id == null ? -1 : id;
        }
        for (int c = 0; c < 128; c++) {
            asciiTokens[c] = vocab.lookup.find(String.valueOf((char) c));
        }
    }

    private int intern(String s, Map<String, Integer> extra) {
        int id = vocab.lookup.find(s);
        return id >= 0 ? id : extra.computeIfAbsent(s, k -> vocab.size() + extra.size());
    }

    @Override
    public void encode(String text, IntList out) {
        SplitText split = new SplitText(text.codePoints().toArray());
        IntList words = preTokenizer.split(split);
        Session session = new Session();
        int at = 0;
        for (int w = 0; w < words.size(); w++) {
            int length = words.get(w);
            session.encodeWord(new String(split.cps, at, length).getBytes(StandardCharsets.UTF_8), out);
            at += length;
        }
    }

    /** Working arrays reused across the words of one call. */
    private final class Session {
        int[] ids = new int[64];
        int[] start = new int[64];
        int[] end = new int[64];
        int[] prev = new int[64];
        int[] next = new int[64];
        final BigramHeap queue = new BigramHeap();
        final StringBuilder encoded = new StringBuilder();

        void encodeWord(byte[] word, IntList out) {
            int n = word.length;
            if (n == 0) {
                return;
            }
            if (ignoreMerges) {
                encoded.setLength(0);
                for (byte b : word) {
                    encoded.append(ByteLevelAlphabet.encode(b));
                }
                int id = vocab.lookup.find(encoded, 0, n);
                if (id >= 0) {
                    out.add(id);
                    return;
                }
            }
            if (ids.length < n) {
                int size = Math.max(n, ids.length * 2);
                ids = Arrays.copyOf(ids, size);
                start = Arrays.copyOf(start, size);
                end = Arrays.copyOf(end, size);
                prev = Arrays.copyOf(prev, size);
                next = Arrays.copyOf(next, size);
            }
            for (int i = 0; i < n; i++) {
                ids[i] = byteSymbols[word[i] & 0xFF];
                start[i] = i;
                end[i] = i + 1;
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
            }
            queue.clear();
            for (int i = 1; i < n; i++) {
                offer(i - 1, i);
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
                ids[left] = (int) merges.get(ids[left], ids[right]);
                end[left] = end[right];
                end[right] = start[right];
                next[left] = next[right];
                if (next[right] >= 0) {
                    prev[next[right]] = left;
                }
                offer(prev[left], left);
                offer(left, next[left]);
            }
            for (int i = 0; i != -1; i = next[i]) {
                int id = ids[i];
                if (id >= 0 && id < vocab.size()) {
                    out.add(id);
                    continue;
                }
                for (int j = start[i]; j < end[i]; j++) {
                    char c = ByteLevelAlphabet.encode(word[j]);
                    if (c < 128 && asciiTokens[c] >= 0) {
                        out.add(asciiTokens[c]);
                    }
                }
            }
        }

        private void offer(int left, int right) {
            if (left < 0 || right < 0) {
                return;
            }
            long merge = merges.get(ids[left], ids[right]);
            if (merge < 0) {
                return;
            }
            queue.push(BigramHeap.key((int) (merge >>> 32), left), right, end[right] - start[left]);
        }
    }
}
