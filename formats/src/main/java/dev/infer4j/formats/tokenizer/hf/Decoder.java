package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code tokenizer.json} decoder. It has two faces: {@link #decodeChain} reproduces Hugging Face's
 * {@code decode_chain} over a whole sequence of token strings, and {@link #decodePiece} gives the bytes one token
 * contributes in the middle of a stream (what {@code Tokenizer.tokenBytes} needs), where the result may be an
 * incomplete UTF-8 character and sequence-level effects (dropping the first token's leading space, stripping
 * the fused text) do not apply.
 */
sealed interface Decoder {

    /** Hugging Face's {@code decode_chain}: token strings in, token strings out. */
    List<String> decodeChain(List<String> tokens);

    /**
     * The bytes of one token that is not the first of its sequence.
     *
     * @param piece the token's bytes as the previous decoder left them (UTF-8 of its text at first)
     */
    byte[] decodePiece(byte[] piece);

    /** Builds the decoder described by {@code node}. */
    static Decoder fromJson(JsonNode node, JsonSource src, String at) {
        String type = src.type(node, at);
        return switch (type) {
            case "Sequence" -> {
                JsonNode items = src.array(node, "decoders", at);
                List<Decoder> steps = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    steps.add(fromJson(items.get(i), src, at + ".decoders[" + i + "]"));
                }
                yield new Sequence(List.copyOf(steps));
            }
            case "ByteLevel" -> new ByteLevel();
            case "Metaspace" -> {
                int replacement = src.codePoint(node, "replacement", at);
                String scheme = src.optionalText(node, "prepend_scheme", at);
                boolean dropsFirst = scheme == null ? src.bool(node, "add_prefix_space", true, at)
                        : !scheme.equals("never");
                yield new Metaspace(replacement, dropsFirst);
            }
            case "Replace" -> {
                JsonNode pattern = node.path("pattern");
                String literal = pattern.has("String") ? src.requireText(pattern, "String", at + ".pattern") : null;
                yield new Replace(literal, src.pattern(node, "pattern", at), src.requireText(node, "content", at));
            }
            case "ByteFallback" -> new ByteFallback();
            case "Fuse" -> new Fuse();
            case "Strip" -> new Strip(src.codePoint(node, "content", at), src.integer(node, "start", 0, at),
                    src.integer(node, "stop", 0, at));
            case "WordPiece" -> new WordPiece(node.hasNonNull("prefix") ? src.requireText(node, "prefix", at) : "##",
                    src.bool(node, "cleanup", true, at));
            case "BPEDecoder" -> new BpeSuffix(node.hasNonNull("suffix") ? src.requireText(node, "suffix", at)
                    : "</w>");
            default -> throw src.unsupported("decoder", at, node);
        };
    }

    /** Runs each decoder in turn. */
    record Sequence(List<Decoder> steps) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            for (Decoder d : steps) {
                tokens = d.decodeChain(tokens);
            }
            return tokens;
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            boolean fused = false;
            for (Decoder d : steps) {
                // after Fuse a Strip acts on the whole text, not on each token
                if (!(fused && d instanceof Strip)) {
                    piece = d.decodePiece(piece);
                }
                fused |= d instanceof Fuse;
            }
            return piece;
        }
    }

    /** Maps byte-level characters back to bytes; the joined bytes are read as UTF-8 with replacement. */
    record ByteLevel() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (String t : tokens) {
                bytes.writeBytes(ByteLevelAlphabet.decode(t));
            }
            return List.of(bytes.toString(StandardCharsets.UTF_8));
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            return ByteLevelAlphabet.decode(new String(piece, StandardCharsets.UTF_8));
        }
    }

    /** Turns the replacement character back into spaces, dropping those of the first token. */
    record Metaspace(int replacement, boolean dropsFirst) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                StringBuilder b = new StringBuilder(t.length());
                boolean drop = i == 0 && dropsFirst;
                t.codePoints().forEach(cp -> {
                    if (cp != replacement) {
                        b.appendCodePoint(cp);
                    } else if (!drop) {
                        b.append(' ');
                    }
                });
                out.add(b.toString());
            }
            return out;
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            return Bytes.replace(piece, Character.toString(replacement).getBytes(StandardCharsets.UTF_8),
                    new byte[] {' '});
        }
    }

    /** Replaces a pattern in each token. */
    record Replace(String literal, Pattern pattern, String content) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                out.add(apply(t));
            }
            return out;
        }

        private String apply(String t) {
            return pattern.matcher(t).replaceAll(Matcher.quoteReplacement(content));
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            if (literal != null) {
                return Bytes.replace(piece, literal.getBytes(StandardCharsets.UTF_8),
                        content.getBytes(StandardCharsets.UTF_8));
            }
            return Bytes.isUtf8(piece) ? apply(new String(piece, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8) : piece;
        }
    }

    /**
     * Turns {@code <0xAB>} tokens into their bytes; a run of them that is not valid UTF-8 becomes one U+FFFD per
     * byte, as Hugging Face does.
     */
    record ByteFallback() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            ByteArrayOutputStream run = new ByteArrayOutputStream();
            for (String t : tokens) {
                int b = byteOf(t);
                if (b >= 0) {
                    run.write(b);
                    continue;
                }
                flush(run, out);
                out.add(t);
            }
            flush(run, out);
            return out;
        }

        private static void flush(ByteArrayOutputStream run, List<String> out) {
            if (run.size() == 0) {
                return;
            }
            byte[] bytes = run.toByteArray();
            if (Bytes.isUtf8(bytes)) {
                out.add(new String(bytes, StandardCharsets.UTF_8));
            } else {
                for (int i = 0; i < bytes.length; i++) {
                    out.add("\uFFFD");
                }
            }
            run.reset();
        }

        /** The byte a {@code <0xAB>} token stands for, or -1. */
        static int byteOf(String token) {
            if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') {
                return -1;
            }
            int hi = hexDigit(token.charAt(3));
            int lo = hexDigit(token.charAt(4));
            return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
        }

        private static int hexDigit(char c) {
            return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            int b = piece.length == 6 ? byteOf(new String(piece, StandardCharsets.ISO_8859_1)) : -1;
            return b >= 0 ? new byte[] {(byte) b} : piece;
        }
    }

    /** Joins all tokens into one. */
    record Fuse() implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            return List.of(String.join("", tokens));
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            return piece;
        }
    }

    /** Removes up to {@code start} leading and {@code stop} trailing {@code content} characters of each token. */
    record Strip(int content, int start, int stop) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (String t : tokens) {
                out.add(strip(t));
            }
            return out;
        }

        private String strip(String t) {
            int[] cps = t.codePoints().toArray();
            int from = 0;
            while (from < start && from < cps.length && cps[from] == content) {
                from++;
            }
            int to = cps.length;
            int cut = 0;
            while (cut < stop && to > from && cps[to - 1] == content) {
                to--;
                cut++;
            }
            return new String(cps, from, to - from);
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            return Bytes.isUtf8(piece) ? strip(new String(piece, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8) : piece;
        }
    }

    /** WordPiece: a {@code ##} continuation joins the previous token, any other token starts a new word. */
    record WordPiece(String prefix, boolean cleanup) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                String t = tokens.get(i);
                if (i != 0) {
                    t = t.startsWith(prefix) ? t.substring(prefix.length()) : " " + t;
                }
                out.add(cleanup ? cleanUp(t) : t);
            }
            return out;
        }

        private static String cleanUp(String s) {
            return s.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",")
                    .replace(" ' ", "'").replace(" n't", "n't").replace(" 'm", "'m").replace(" do not", " don't")
                    .replace(" 's", "'s").replace(" 've", "'ve").replace(" 're", "'re");
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
            if (Bytes.startsWith(piece, p)) {
                return java.util.Arrays.copyOfRange(piece, p.length, piece.length);
            }
            byte[] out = new byte[piece.length + 1];
            out[0] = ' ';
            System.arraycopy(piece, 0, out, 1, piece.length);
            return out;
        }
    }

    /** Classic BPE's end-of-word suffix becomes a space (nothing after the last token). */
    record BpeSuffix(String suffix) implements Decoder {
        @Override
        public List<String> decodeChain(List<String> tokens) {
            List<String> out = new ArrayList<>(tokens.size());
            for (int i = 0; i < tokens.size(); i++) {
                out.add(tokens.get(i).replace(suffix, i == tokens.size() - 1 ? "" : " "));
            }
            return out;
        }

        @Override
        public byte[] decodePiece(byte[] piece) {
            return Bytes.replace(piece, suffix.getBytes(StandardCharsets.UTF_8), new byte[] {' '});
        }
    }
}
