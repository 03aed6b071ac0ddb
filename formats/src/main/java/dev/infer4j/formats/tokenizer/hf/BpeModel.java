package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;

/**
 * Byte-pair encoding as Hugging Face's {@code BPE} model: a word starts as one symbol per character (unknown
 * characters become byte-fallback tokens or the unknown token), then the lowest-ranked adjacent pair is merged
 * until no pair has a merge.
 */
final class BpeModel implements TokenModel {
    private static final long NO_MERGE = -1L;

    private final Vocabulary vocab;
    /** (left id, right id) to (rank, merged id). */
    private final LongLongTable merges;
    /** Code point to the id of the token made of exactly that code point. */
    private final LongLongTable singleCharIds;
    /** Byte value to the id of its {@code <0xAB>} token, or -1. */
    private final int[] byteIds;
    private final String unkToken;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final boolean ignoreMerges;
    private final String continuingSubwordPrefix;
    private final String endOfWordSuffix;

    private BpeModel(Vocabulary vocab, LongLongTable merges, String unkToken, boolean fuseUnk, boolean byteFallback,
                     boolean ignoreMerges, String continuingSubwordPrefix, String endOfWordSuffix) {
        this.vocab = vocab;
        this.merges = merges;
        this.unkToken = unkToken;
        this.unkId = unkToken == null ? -1 : vocab.id(unkToken);
        this.fuseUnk = fuseUnk;
        this.byteFallback = byteFallback;
        this.ignoreMerges = ignoreMerges;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix;
        this.singleCharIds = new LongLongTable(Math.min(vocab.size(), 1 << 16));
        for (var e : vocab.ids().entrySet()) {
            String t = e.getKey();
            if (!t.isEmpty() && t.codePointCount(0, t.length()) == 1) {
                singleCharIds.put(t.codePointAt(0), e.getValue());
            }
        }
        this.byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            byteIds[b] = vocab.id(String.format("<0x%02X>", b));
        }
    }

    static BpeModel fromJson(JsonNode node, JsonSource src, String at) {
        Vocabulary vocab = Vocabulary.fromJson(node.get("vocab"), src, at + ".vocab");
        String prefix = src.optionalText(node, "continuing_subword_prefix", at);
        JsonNode list = src.array(node, "merges", at);
        LongLongTable merges = new LongLongTable(list.size());
        int prefixLength = prefix == null ? 0 : prefix.length();
        for (int rank = 0; rank < list.size(); rank++) {
            JsonNode m = list.get(rank);
            String where = at + ".merges[" + rank + "]";
            String left;
            String right;
            if (m.isTextual()) {
                String line = m.asText();
                int space = line.indexOf(' ');
                if (space < 0) {
                    throw src.error(where, "expected \"left right\", found \"" + line + "\"");
                }
                left = line.substring(0, space);
                right = line.substring(space + 1);
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                left = m.get(0).asText();
                right = m.get(1).asText();
            } else {
                throw src.error(where, "expected \"left right\" or [left, right], found " + m);
            }
            int a = vocab.id(left);
            int b = vocab.id(right);
            String merged = left + right.substring(Math.min(prefixLength, right.length()));
            int c = vocab.id(merged);
            if (a < 0 || b < 0 || c < 0) {
                String missing = a < 0 ? left : b < 0 ? right : merged;
                throw src.error(where, "merge of \"" + left + "\" and \"" + right + "\" needs \"" + missing
                        + "\", which is not in the vocab");
            }
            merges.put(pairKey(a, b), ((long) rank << 32) | c);
        }
        return new BpeModel(vocab, merges, src.optionalText(node, "unk_token", at),
                src.bool(node, "fuse_unk", false, at), src.bool(node, "byte_fallback", false, at),
                src.bool(node, "ignore_merges", false, at), prefix,
                src.optionalText(node, "end_of_word_suffix", at));
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | right;
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    @Override
    public int unknownId() {
        return unkId;
    }

    @Override
    public void tokenize(String word, IdList out) {
        if (ignoreMerges) {
            int whole = vocab.id(word);
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        IdList symbols = new IdList();
        initialSymbols(word, symbols);
        mergeAll(symbols.toArray(), out);
    }

    /**
     * One symbol per character, with Hugging Face's handling of characters missing from the vocab: their
     * {@code <0xAB>} byte tokens when byte fallback is on and all exist, otherwise the unknown token (runs of
     * unknowns fused into one when {@code fuse_unk}).
     */
    private void initialSymbols(String word, IdList ids) {
        boolean plainChars = continuingSubwordPrefix == null && endOfWordSuffix == null;
        boolean unkPending = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int end = i + Character.charCount(cp);
            int id;
            String s = null;
            if (plainChars) {
                id = (int) singleCharIds.get(cp, -1);
            } else {
                s = word.substring(i, end);
                if (i > 0 && continuingSubwordPrefix != null) {
                    s = continuingSubwordPrefix + s;
                }
                if (end == word.length() && endOfWordSuffix != null) {
                    s = s + endOfWordSuffix;
                }
                id = vocab.id(s);
            }
            i = end;
            if (id >= 0) {
                if (unkPending) {
                    ids.add(unkId());
                    unkPending = false;
                }
                ids.add(id);
                continue;
            }
            if (byteFallback) {
                byte[] bytes = (s != null ? s : Character.toString(cp)).getBytes(StandardCharsets.UTF_8);
                boolean all = true;
                for (byte b : bytes) {
                    all &= byteIds[b & 0xFF] >= 0;
                }
                if (all) {
                    // Hugging Face adds these before any pending unknown token; keep that order
                    for (byte b : bytes) {
                        ids.add(byteIds[b & 0xFF]);
                    }
                    continue;
                }
            }
            if (unkToken != null) {
                if (unkPending && !fuseUnk) {
                    ids.add(unkId());
                }
                unkPending = true;
            }
        }
        if (unkPending) {
            ids.add(unkId());
        }
    }

    private int unkId() {
        if (unkId < 0) {
            throw new IllegalArgumentException("unk_token \"" + unkToken + "\" is not in the vocab");
        }
        return unkId;
    }

    /** Hugging Face's {@code Word::merge_all}, then the surviving symbols in order. */
    private void mergeAll(int[] c, IdList out) {
        int n = c.length;
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] removed = new boolean[n];
        MergeQueue queue = new MergeQueue(n);
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            if (i + 1 < n) {
                long m = merges.get(pairKey(c[i], c[i + 1]), NO_MERGE);
                if (m != NO_MERGE) {
                    queue.push((int) (m >>> 32), i, (int) m);
                }
            }
        }
        while (!queue.isEmpty()) {
            int pos = queue.topPos();
            int newId = queue.topNewId();
            queue.pop();
            if (removed[pos] || next[pos] == -1) {
                continue;
            }
            int right = next[pos];
            long current = merges.get(pairKey(c[pos], c[right]), NO_MERGE);
            if (current == NO_MERGE || (int) current != newId) {
                continue; // stale entry: one side was merged since it was queued
            }
            c[pos] = newId;
            removed[right] = true;
            next[pos] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                long m = merges.get(pairKey(c[prev[pos]], c[pos]), NO_MERGE);
                if (m != NO_MERGE) {
                    queue.push((int) (m >>> 32), prev[pos], (int) m);
                }
            }
            if (next[pos] >= 0) {
                long m = merges.get(pairKey(c[pos], c[next[pos]]), NO_MERGE);
                if (m != NO_MERGE) {
                    queue.push((int) (m >>> 32), pos, (int) m);
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (!removed[i]) {
                out.add(c[i]);
            }
        }
    }
}
