package dev.infer4j.formats.tokenizer.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A {@code tokenizer.json} normalizer: rewrites text before pre-tokenization. */
sealed interface Normalizer {

    String normalize(String text);

    /** Builds the normalizer described by {@code node} (a JSON object with a {@code type}). */
    static Normalizer fromJson(JsonNode node, JsonSource src, String at) {
        String type = src.type(node, at);
        return switch (type) {
            case "Sequence" -> {
                JsonNode items = src.array(node, "normalizers", at);
                List<Normalizer> steps = new ArrayList<>();
                for (int i = 0; i < items.size(); i++) {
                    steps.add(fromJson(items.get(i), src, at + ".normalizers[" + i + "]"));
                }
                yield new Sequence(List.copyOf(steps));
            }
            case "Prepend" -> new Prepend(src.requireText(node, "prepend", at));
            case "Append" -> new Append(src.requireText(node, "append", at));
            case "Replace" -> new Replace(src.pattern(node, "pattern", at), src.requireText(node, "content", at));
            case "NFC" -> new UnicodeForm(java.text.Normalizer.Form.NFC);
            case "NFD" -> new UnicodeForm(java.text.Normalizer.Form.NFD);
            case "NFKC" -> new UnicodeForm(java.text.Normalizer.Form.NFKC);
            case "NFKD" -> new UnicodeForm(java.text.Normalizer.Form.NFKD);
            case "Lowercase" -> new Lowercase();
            case "Strip" -> new Strip(src.bool(node, "strip_left", true, at), src.bool(node, "strip_right", true, at));
            case "StripAccents" -> new StripAccents();
            case "BertNormalizer" -> {
                boolean lowercase = src.bool(node, "lowercase", true, at);
                yield new Bert(src.bool(node, "clean_text", true, at),
                        src.bool(node, "handle_chinese_chars", true, at),
                        src.bool(node, "strip_accents", lowercase, at), lowercase);
            }
            default -> throw src.unsupported("normalizer", at, node);
        };
    }

    /** Applies each normalizer in turn. */
    record Sequence(List<Normalizer> steps) implements Normalizer {
        @Override
        public String normalize(String text) {
            for (Normalizer n : steps) {
                text = n.normalize(text);
            }
            return text;
        }
    }

    /** Prepends a string to non-empty text (Llama 2's {@code ▁}). */
    record Prepend(String prefix) implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.isEmpty() ? text : prefix + text;
        }
    }

    /** Appends a string to non-empty text. */
    record Append(String suffix) implements Normalizer {
        @Override
        public String normalize(String text) {
            return text.isEmpty() ? text : text + suffix;
        }
    }

    /** Replaces every match of a pattern with literal content. */
    record Replace(Pattern pattern, String content) implements Normalizer {
        @Override
        public String normalize(String text) {
            return pattern.matcher(text).replaceAll(Matcher.quoteReplacement(content));
        }
    }

    /** A Unicode normalization form. */
    record UnicodeForm(java.text.Normalizer.Form form) implements Normalizer {
        @Override
        public String normalize(String text) {
            return java.text.Normalizer.normalize(text, form);
        }
    }

    /** Lowercases each character. */
    record Lowercase() implements Normalizer {
        @Override
        public String normalize(String text) {
            return CharProperties.lowercase(text);
        }
    }

    /** Removes leading and/or trailing whitespace. */
    record Strip(boolean left, boolean right) implements Normalizer {
        @Override
        public String normalize(String text) {
            int start = 0;
            int end = text.length();
            if (left) {
                while (start < end && CharProperties.isWhitespace(text.codePointAt(start))) {
                    start += Character.charCount(text.codePointAt(start));
                }
            }
            if (right) {
                while (end > start && CharProperties.isWhitespace(text.codePointBefore(end))) {
                    end -= Character.charCount(text.codePointBefore(end));
                }
            }
            return text.substring(start, end);
        }
    }

    /** Removes combining marks (usually after NFD). */
    record StripAccents() implements Normalizer {
        @Override
        public String normalize(String text) {
            StringBuilder out = new StringBuilder(text.length());
            text.codePoints().filter(cp -> !CharProperties.isMark(cp)).forEach(out::appendCodePoint);
            return out.toString();
        }
    }

    /** BERT's cleaning: control characters out, whitespace to spaces, CJK isolated, accents and case folded. */
    record Bert(boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase)
            implements Normalizer {
        @Override
        public String normalize(String text) {
            StringBuilder out = new StringBuilder(text.length());
            text.codePoints().forEach(cp -> {
                if (cleanText) {
                    boolean tabOrNewline = cp == '\t' || cp == '\n' || cp == '\r';
                    if (cp == 0 || cp == 0xFFFD || (!tabOrNewline && CharProperties.isOther(cp))) {
                        return;
                    }
                    if (tabOrNewline || CharProperties.isWhitespace(cp)) {
                        cp = ' ';
                    }
                }
                if (handleChineseChars && isChinese(cp)) {
                    out.append(' ').appendCodePoint(cp).append(' ');
                } else {
                    out.appendCodePoint(cp);
                }
            });
            String s = out.toString();
            if (stripAccents) {
                StringBuilder stripped = new StringBuilder(s.length());
                java.text.Normalizer.normalize(s, java.text.Normalizer.Form.NFD).codePoints()
                        .filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                        .forEach(stripped::appendCodePoint);
                s = stripped.toString();
            }
            return lowercase ? CharProperties.lowercase(s) : s;
        }

        private static boolean isChinese(int cp) {
            return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF)
                    || (cp >= 0x20000 && cp <= 0x2A6DF) || (cp >= 0x2A700 && cp <= 0x2B73F)
                    || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B920 && cp <= 0x2CEAF)
                    || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
        }
    }
}
