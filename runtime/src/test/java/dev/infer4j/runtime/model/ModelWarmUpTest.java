package dev.infer4j.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.testdata.SharedData;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The start-up warm-up runs its tokens, gives its KV blocks back and leaves nothing behind in the model. */
class ModelWarmUpTest {
    private static final int[] PROMPT = {1, 403, 407, 261, 378};

    @Test
    void runsPromptAndStepsThenReturnsEveryBlockAndChangesNoLaterOutput() throws IOException {
        try (Kernels kernels = Kernels.load(0);
             GgufFile file = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"))) {
            Greedy.Run cold = Greedy.run(Model.load(file, kernels, KvCacheSpec.ofBlocks(8)), PROMPT, 6);
            Model model = Model.load(file, kernels, KvCacheSpec.ofBlocks(8));
            int free = model.kvCache().pool().freeBlocks();
            assertEquals(ModelWarmUp.PROMPT_TOKENS + ModelWarmUp.DECODE_STEPS, ModelWarmUp.run(model));
            assertEquals(free, model.kvCache().pool().freeBlocks(), "the warm-up's blocks are all given back");
            Greedy.Run warmed = Greedy.run(model, PROMPT, 6);
            assertArrayEquals(cold.promptLogits(), warmed.promptLogits(), "prompt logits after the warm-up");
            for (int s = 0; s < 6; s++) {
                assertArrayEquals(cold.stepLogits()[s], warmed.stepLogits()[s], "step " + s + " after the warm-up");
            }
        }
    }

    @Test
    void shortensItselfToTheFreeBlocks() throws IOException {
        try (Kernels kernels = Kernels.load(0);
             GgufFile file = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"))) {
            Model model = Model.load(file, kernels, KvCacheSpec.ofBlocks(1));
            int blockSize = model.kvCache().blockSize();
            assertEquals(Math.min(blockSize, ModelWarmUp.PROMPT_TOKENS + ModelWarmUp.DECODE_STEPS),
                    ModelWarmUp.run(model), "one block holds the whole warm-up run");
            assertEquals(1, model.kvCache().pool().freeBlocks());
        }
    }
}
