package dev.infer4j.runtime.engine;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.formats.tokenizer.GgufTokenizers;
import dev.infer4j.formats.tokenizer.Tokenizer;
import dev.infer4j.kernels.Kernels;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A target and a draft GGUF model opened with their tokenizers on one set of kernels: what the statistical tests
 * of speculative sampling share. Closing it closes the kernels and both files.
 */
final class TargetAndDraft implements AutoCloseable {
    final GgufFile targetFile;
    final GgufFile draftFile;
    final Kernels kernels;
    final Tokenizer tokenizer;
    final Tokenizer draftTokenizer;

    TargetAndDraft(Path target, Path draft, int threads) throws IOException {
        targetFile = GgufFile.open(target);
        draftFile = GgufFile.open(draft);
        kernels = Kernels.load(threads);
        tokenizer = GgufTokenizers.load(targetFile);
        draftTokenizer = GgufTokenizers.load(draftFile);
    }

    /** The target's end-of-generation tokens that lie inside a vocabulary of {@code vocab} tokens. */
    int[] endOfGeneration(int vocab) {
        return Arrays.stream(tokenizer.specialTokens().endOfGeneration()).filter(t -> t >= 0 && t < vocab).toArray();
    }

    @Override
    public void close() {
        kernels.close();
        targetFile.close();
        draftFile.close();
    }
}
