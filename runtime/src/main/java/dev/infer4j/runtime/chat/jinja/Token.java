package dev.infer4j.runtime.chat.jinja;

/** One lexical token; {@code value} holds the decoded literal for strings and numbers, else the text. */
record Token(Kind kind, String text, Object value, int line) {
    enum Kind { DATA, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INTEGER, FLOAT, OP, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isOp(String t) {
        return kind == Kind.OP && text.equals(t);
    }

    boolean isName(String t) {
        return kind == Kind.NAME && text.equals(t);
    }

    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case DATA -> "template data";
            case VAR_END -> "'}}'";
            case BLOCK_END -> "'%}'";
            default -> "'" + text + "'";
        };
    }
}
