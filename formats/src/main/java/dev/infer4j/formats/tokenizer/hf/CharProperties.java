package dev.infer4j.formats.tokenizer.hf;

/**
 * The character predicates Hugging Face's Rust code uses ({@code char::is_whitespace}, {@code is_alphanumeric},
 * {@code is_numeric}, regex {@code \w}, Unicode punctuation), which differ from {@link Character}'s
 * same-named methods (e.g. Java's {@code isWhitespace} excludes no-break spaces and includes U+001C..U+001F).
 */
final class CharProperties {
    private CharProperties() {
    }

    /** Unicode White_Space, as Rust's {@code char::is_whitespace}. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    /** General category N (Nd, Nl, No), as Rust's {@code char::is_numeric}. */
    static boolean isNumeric(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER
                || type == Character.OTHER_NUMBER;
    }

    /** Alphabetic or numeric, as Rust's {@code char::is_alphanumeric}. */
    static boolean isAlphanumeric(int cp) {
        return Character.isAlphabetic(cp) || isNumeric(cp);
    }

    /** A regex word character ({@code \w} in Rust's regex crate: Alphabetic, Mark, Nd, Pc, Join_Control). */
    static boolean isWordCharacter(int cp) {
        int type = Character.getType(cp);
        return Character.isAlphabetic(cp) || isMark(cp) || type == Character.DECIMAL_DIGIT_NUMBER
                || type == Character.CONNECTOR_PUNCTUATION || cp == 0x200C || cp == 0x200D;
    }

    /** General category M (Mn, Mc, Me). */
    static boolean isMark(int cp) {
        int type = Character.getType(cp);
        return type == Character.NON_SPACING_MARK || type == Character.COMBINING_SPACING_MARK
                || type == Character.ENCLOSING_MARK;
    }

    /** ASCII punctuation or general category P, as Hugging Face's punctuation splitters. */
    static boolean isPunctuation(int cp) {
        if (cp < 0x80) {
            return (cp >= '!' && cp <= '/') || (cp >= ':' && cp <= '@') || (cp >= '[' && cp <= '`')
                    || (cp >= '{' && cp <= '~');
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** Control, format, unassigned, private-use or surrogate (Cc, Cf, Cn, Co, Cs), as Rust's {@code is_other}. */
    static boolean isOther(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE,
                 Character.SURROGATE -> true;
            default -> false;
        };
    }

    /**
     * Lowercases code point by code point as Rust's {@code char::to_lowercase} does: no context-dependent
     * final sigma (Java's {@link String#toLowerCase} has one), and U+0130 becomes "i" + U+0307.
     */
    static String lowercase(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == 0x130) {
                out.append('i').append('\u0307');
            } else {
                out.appendCodePoint(Character.toLowerCase(cp));
            }
        }
        return out.toString();
    }
}
