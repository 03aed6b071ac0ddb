package dev.infer4j.formats.tokenizer;

import dev.infer4j.testdata.SharedData;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * llama.cpp's tokenizer test vectors in {@code ../shared/vocab}: {@code NAME.gguf.inp} holds the inputs, each
 * followed by a line {@code __ggml_vocab_test__}; {@code NAME.gguf.out} one line of space-separated ids per
 * input (read as llama.cpp's {@code test-tokenizer-0} reads them).
 */
record VocabTestVectors(String name, Path gguf, List<Case> cases) {

    record Case(String text, int[] ids) {
    }

    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";

    /** Vocabulary names (e.g. {@code gpt-2}) whose .gguf and .inp/.out are all present. */
    static List<String> presentNames() {
        try (Stream<Path> files = Files.list(SharedData.file("vocab"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> f.startsWith("ggml-vocab-") && f.endsWith(".gguf.inp"))
                    .map(f -> f.substring("ggml-vocab-".length(), f.length() - ".gguf.inp".length()))
                    .filter(n -> Files.exists(SharedData.root().resolve("vocab/ggml-vocab-" + n + ".gguf")))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static VocabTestVectors load(String name) {
        Path gguf = SharedData.file("vocab/ggml-vocab-" + name + ".gguf");
        try {
            String raw = Files.readString(Path.of(gguf + ".inp"), StandardCharsets.UTF_8);
            List<String> outLines = Files.readAllLines(Path.of(gguf + ".out"), StandardCharsets.UTF_8);
            List<String> inputs = new ArrayList<>();
            int pos = 0;
            while (pos < raw.length()) {
                int next = raw.indexOf(SEPARATOR, pos);
                if (next < 0) {
                    inputs.add(raw.substring(pos));
                    break;
                }
                inputs.add(raw.substring(pos, next));
                pos = next + SEPARATOR.length();
            }
            if (inputs.size() != outLines.size()) {
                throw new IllegalStateException(name + ": " + inputs.size() + " inputs but " + outLines.size()
                        + " output lines");
            }
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                String line = outLines.get(i).strip();
                int[] ids = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split(" ")).mapToInt(Integer::parseInt).toArray();
                cases.add(new Case(inputs.get(i), ids));
            }
            return new VocabTestVectors(name, gguf, cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The text with control characters escaped, for failure messages. */
    static String show(String text) {
        StringBuilder sb = new StringBuilder("\"");
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '"' -> sb.append("\\\"");
                default -> {
                    if (cp < 0x20) {
                        sb.append(String.format("\\u%04x", cp));
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.append('"').toString();
    }

    /** Null if equal, else where and how the id sequences first differ. */
    static String firstDifference(int[] expected, int[] actual) {
        int n = Math.min(expected.length, actual.length);
        for (int i = 0; i < n; i++) {
            if (expected[i] != actual[i]) {
                return "first difference at position " + i + ": expected " + expected[i] + ", got " + actual[i]
                        + "\n  expected " + Arrays.toString(expected) + "\n  actual   " + Arrays.toString(actual);
            }
        }
        if (expected.length != actual.length) {
            return "first difference at position " + n + ": expected " + expected.length + " ids, got "
                    + actual.length + "\n  expected " + Arrays.toString(expected) + "\n  actual   "
                    + Arrays.toString(actual);
        }
        return null;
    }
}
