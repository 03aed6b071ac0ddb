package dev.infer4j.formats.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A tokenizer read from GGUF metadata that reproduces llama.cpp's {@code llama_tokenize} and
 * {@code llama_detokenize} exactly. Obtain one from {@link GgufTokenizers#load}.
 *
 * <p>Immutable and thread-safe: every call works on its own arrays.
 */
public final class GgufTokenizer implements Tokenizer {
    private static final int HIDDEN_UNLESS_SPECIAL = TokenAttributes.CONTROL | TokenAttributes.UNKNOWN;

    private final Vocabulary vocab;
    private final VocabularyKind kind;
    private final FragmentEncoder encoder;
    private final SpecialTokenPartition partition;
    private final SpecialTokens specials;
    private final int separator;
    private final boolean addSpacePrefix;
    private final boolean cleanSpaces;
    private final byte[][] pieces;

    GgufTokenizer(Vocabulary vocab, VocabularyKind kind, FragmentEncoder encoder, SpecialTokens specials,
                  int separator, boolean addSpacePrefix, boolean cleanSpaces) {
        this.vocab = vocab;
        this.kind = kind;
        this.encoder = encoder;
        this.partition = new SpecialTokenPartition(vocab);
        this.specials = specials;
        this.separator = separator;
        this.addSpacePrefix = addSpacePrefix;
        this.cleanSpaces = cleanSpaces;
        this.pieces = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) {
            pieces[id] = piece(id);
        }
    }

    /** The tokenizer family. */
    public VocabularyKind kind() {
        return kind;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Exactly llama.cpp's {@code llama_tokenize}: user-defined tokens written in the text are single ids
     * even when {@code parseSpecial} is false; SentencePiece vocabularies prefix a space to the text and to
     * every run of text that follows a special token.
     *
     * @throws UnencodableTextException if a SentencePiece vocabulary without byte fallback meets a character
     *                                  it has no token for
     */
    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String clean = withoutLoneSurrogates(text);
        IntList fragments = partition.split(clean, parseSpecial);
        IntList out = new IntList(clean.length() / 3 + 4);
        if (addSpecial && specials.addBos() || kind == VocabularyKind.WORD_PIECE && addSpecial) {
            out.add(required(specials.bos(), "BOS"));
        }
        boolean afterSpecial = true;
        for (int f = 0; f < fragments.size(); f += 3) {
            if (fragments.get(f) == SpecialTokenPartition.TOKEN) {
                out.add(fragments.get(f + 1));
                afterSpecial = true;
                continue;
            }
            String run = clean.substring(fragments.get(f + 1), fragments.get(f + 2));
            if (kind == VocabularyKind.SENTENCE_PIECE) {
                run = ((addSpacePrefix && afterSpecial) ? " " + run : run).replace(' ', '\u2581');
            }
            encoder.encode(run, out);
            afterSpecial = false;
        }
        if (kind == VocabularyKind.WORD_PIECE) {
            if (addSpecial) {
                out.add(required(separator, "separator"));
            }
        } else if (addSpecial && specials.addEos()) {
            out.add(required(specials.eos(), "EOS"));
        }
        return out.toArray();
    }

    private static int required(int id, String what) {
        if (id < 0) {
            throw new IllegalStateException("the vocabulary has no " + what + " token to add");
        }
        return id;
    }

    private static String withoutLoneSurrogates(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                StringBuilder sb = new StringBuilder(text.length());
                text.codePoints().forEach(cp -> sb.appendCodePoint(
                        Character.isSurrogate((char) cp) && cp <= 0xFFFF ? 0xFFFD : cp));
                return sb.toString();
            }
        }
        return text;
    }

    /**
     * {@inheritDoc}
     *
     * <p>llama.cpp's {@code llama_token_to_piece} with {@code lstrip = 0}: control and unknown tokens give their
     * text only when {@code renderSpecial}; user-defined tokens always give their text.
     *
     * @throws IllegalArgumentException if {@code token} is not an id of this vocabulary
     */
    @Override
    public byte[] tokenBytes(int token, boolean renderSpecial) {
        checkId(token);
        if (!renderSpecial && vocab.has(token, HIDDEN_UNLESS_SPECIAL)) {
            return new byte[0];
        }
        return pieces[token].clone();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Same as {@link #detokenize detokenize(tokens, false, renderSpecial)}.
     */
    @Override
    public String decode(int[] tokens, boolean renderSpecial) {
        return detokenize(tokens, false, renderSpecial);
    }

    /**
     * llama.cpp's {@code llama_detokenize}. When the vocabulary adds a space prefix (SentencePiece), one
     * leading space is removed from the first token's piece, even if that piece is empty (so after a hidden
     * BOS the space stays, as in llama.cpp). Vocabularies with {@code clean_spaces} (GPT-2-style BPE,
     * WordPiece) then drop the space before {@code ? ! . ,}, around a lone {@code '} and before {@code 's 'm
     * 're 've}, as Hugging Face's {@code clean_up_tokenization_spaces} does.
     *
     * @param removeSpecial drop a leading BOS and a trailing EOS when the vocabulary adds them
     * @param renderSpecial render control tokens as their text
     */
    public String detokenize(int[] tokens, boolean removeSpecial, boolean renderSpecial) {
        int from = 0;
        int to = tokens.length;
        boolean removeSpace = addSpacePrefix;
        if (removeSpecial && specials.addBos() && to > 0 && tokens[0] == specials.bos()) {
            removeSpace = false;
            from++;
        }
        if (removeSpecial && specials.addEos() && to > from && tokens[to - 1] == specials.eos()) {
            to--;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            int token = tokens[i];
            checkId(token);
            if (!renderSpecial && vocab.has(token, HIDDEN_UNLESS_SPECIAL)) {
                removeSpace = false;
                continue;
            }
            byte[] piece = pieces[token];
            int skip = removeSpace && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            removeSpace = false;
        }
        byte[] bytes = out.toByteArray();
        if (cleanSpaces) {
            bytes = cleanUpSpaces(bytes);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** llama.cpp's three clean-up passes, on bytes and in place exactly as it does them. */
    static byte[] cleanUpSpaces(byte[] t) {
        int total = t.length;
        int total1 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total1; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',')) {
                total--;
            }
            t[total++] = x;
        }
        int total2 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total2; i++) {
            byte x = t[i];
            if (x == '\'' && i + 1 < total2 && t[i - 1] == ' ' && t[i + 1] == ' ') {
                total--;
                t[++i] = 0;
            }
            t[total++] = x;
        }
        int total3 = total;
        total = total > 0 ? 1 : 0;
        for (int i = 1; i < total3; i++) {
            byte x = t[i];
            if (t[i - 1] == ' ' && x == '\'' && i + 1 < total3) {
                byte x1 = t[i + 1];
                if (x1 == 's' || x1 == 'm') {
                    total--;
                } else if (i + 2 < total3) {
                    byte x2 = t[i + 2];
                    if ((x1 == 'r' && x2 == 'e') || (x1 == 'v' && x2 == 'e')) {
                        total--;
                    }
                }
            }
            t[total++] = x;
        }
        return Arrays.copyOf(t, total);
    }

    /** The piece llama.cpp caches for a token (as rendered with special tokens shown). */
    private byte[] piece(int id) {
        String text = vocab.texts[id];
        int attributes = vocab.attributes[id];
        if ((attributes & (HIDDEN_UNLESS_SPECIAL | TokenAttributes.USER_DEFINED)) != 0) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if ((attributes & TokenAttributes.NORMAL) != 0) {
            return kind == VocabularyKind.BYTE_LEVEL_BPE ? byteLevelPiece(text)
                    : text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        }
        if ((attributes & TokenAttributes.BYTE) != 0 && kind != VocabularyKind.WORD_PIECE) {
            return new byte[] {(byte) hexByte(text)};
        }
        return new byte[0];
    }

    /** {@code <0xXX>}'s byte, parsed as leniently as llama.cpp's {@code strtol} of the two chars after "<0x". */
    private static int hexByte(String text) {
        int value = 0;
        for (int i = 3; i < Math.min(5, text.length()); i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0) {
                break;
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private static byte[] byteLevelPiece(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        text.codePoints().forEach(cp -> {
            int b = ByteLevelAlphabet.decode(cp);
            if (b >= 0) {
                out.write(b);
            } else {
                // llama.cpp's marker for a code point outside GPT-2's byte alphabet
                StringBuilder marker = new StringBuilder("[UNK_BYTE_0x");
                for (byte u : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                    marker.append(String.format("%02x", u & 0xFF));
                }
                marker.append(text).append(']');
                out.writeBytes(marker.toString().getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }

    private void checkId(int token) {
        if (token < 0 || token >= vocab.size()) {
            throw new IllegalArgumentException("token id " + token + " is outside the vocabulary (0.."
                    + (vocab.size() - 1) + ")");
        }
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public String tokenText(int token) {
        checkId(token);
        return vocab.texts[token];
    }

    @Override
    public int tokenId(String text) {
        return vocab.lookup.find(text);
    }

    @Override
    public SpecialTokens specialTokens() {
        return specials;
    }

    /** True for control and unknown tokens: those that {@link #tokenBytes} hides unless asked to render them. */
    public boolean isSpecial(int token) {
        checkId(token);
        return vocab.has(token, HIDDEN_UNLESS_SPECIAL);
    }
}
