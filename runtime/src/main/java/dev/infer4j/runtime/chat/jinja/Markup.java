package dev.infer4j.runtime.chat.jinja;

/**
 * markupsafe's {@code Markup}: text marked safe by {@code |safe} or {@code |escape}. It behaves as a str, except
 * that concatenating a plain str to it HTML-escapes the plain one, which real templates rely on byte for byte.
 */
record Markup(String text) {
    static Markup escape(Object v) {
        return v instanceof Markup m ? m : new Markup(escapeText(PyRepr.str(v)));
    }

    static String escapeText(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&#34;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** A Markup as the str it is; anything else unchanged. */
    static Object plain(Object v) {
        return v instanceof Markup m ? m.text() : v;
    }
}
