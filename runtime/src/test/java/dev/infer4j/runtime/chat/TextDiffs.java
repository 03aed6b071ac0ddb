package dev.infer4j.runtime.chat;

/** Test support: describes where two texts first differ, with escaped context, for assertion messages. */
public final class TextDiffs {
    private static final int CONTEXT = 40;

    private TextDiffs() {
    }

    public static String describe(String expected, String actual) {
        int n = Math.min(expected.length(), actual.length());
        int i = 0;
        while (i < n && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        return "first difference at char " + i + " (expected length " + expected.length() + ", actual "
            + actual.length() + ")\n  expected: …" + window(expected, i) + "…\n  actual:   …" + window(actual, i) + "…";
    }

    private static String window(String s, int at) {
        int from = Math.max(0, at - CONTEXT);
        int to = Math.min(s.length(), at + CONTEXT);
        return escape(s.substring(from, Math.min(at, to))) + "⟦" + escape(s.substring(Math.min(at, to), to)) + "⟧";
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
