package dev.infer4j.runtime.model;

import dev.infer4j.formats.gguf.GgufFile;
import dev.infer4j.kernels.Kernels;
import dev.infer4j.runtime.kv.BlockTable;
import dev.infer4j.runtime.kv.KvCacheSpec;
import dev.infer4j.testdata.SharedData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DESIGN principle 6: a sequence's greedy output is the same alone or inside a batch. Eight prompts of different
 * lengths are prefilled together and then decoded together (one token each per step, so prefill and decode never
 * line up), and every sequence must produce exactly the tokens and logits it produces alone.
 */
class BatchDeterminismTest {
    private static final int STEPS = 12;

    @Test
    void eightMixedLengthSequencesInOneBatchEachGetTheirSoloGreedyOutput() throws IOException {
        int[][] prompts = {
                {1, 403, 407, 261, 378},
                {1, 317, 269, 274, 287, 263, 377, 267, 265, 282, 295, 433, 426},
                {1, 403},
                {1, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 300, 290, 310, 330, 340, 350, 360, 370, 380},
                {1, 290, 291},
                {1, 403, 407, 261, 378, 432, 383},
                {1},
                {1, 300, 301, 302, 303, 304, 305, 306, 307, 308},
        };
        try (Kernels kernels = Kernels.load(0);
             GgufFile file = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"))) {
            Model model = Model.load(file, kernels, KvCacheSpec.ofBlocks(64));
            Greedy.Run[] alone = new Greedy.Run[prompts.length];
            for (int s = 0; s < prompts.length; s++) {
                alone[s] = Greedy.run(model, prompts[s], STEPS);
            }

            BlockTable[] tables = new BlockTable[prompts.length];
            int[] positions = new int[prompts.length];
            int[][] tokens = new int[prompts.length][STEPS];
            float[] row = new float[model.config().vocabSize()];
            Batch batch = new Batch();
            for (int s = 0; s < prompts.length; s++) {
                tables[s] = model.kvCache().newTable();
                tables[s].ensureCapacity(prompts[s].length, model.kvCache().pool());
                batch.add(tables[s], 0, prompts[s]);
                positions[s] = prompts[s].length;
            }
            for (int step = 0; step < STEPS; step++) {
                Logits logits = model.forward(batch);
                for (int s = 0; s < prompts.length; s++) {
                    logits.copyRow(logits.firstRow(s), row, 0);
                    assertArrayEquals(alone[s].stepLogits()[step], row,
                            "logits of sequence " + s + " at step " + step + " differ from its solo run");
                    tokens[s][step] = logits.argmax(logits.firstRow(s));
                }
                batch.clear();
                for (int s = 0; s < prompts.length; s++) {
                    tables[s].ensureCapacity(positions[s] + 1, model.kvCache().pool());
                    batch.add(tables[s], positions[s]++, tokens[s][step]);
                }
            }
            for (int s = 0; s < prompts.length; s++) {
                assertArrayEquals(alone[s].tokens(), tokens[s], "greedy tokens of sequence " + s + " "
                        + Arrays.toString(prompts[s]));
                tables[s].release(model.kvCache().pool());
            }
            assertEquals(0, model.kvCache().pool().usedBlocks(), "KV blocks leaked");
        }
    }

    @Test
    void allLogitsOfAPromptMatchItsPositionsFedOneByOne() throws IOException {
        int[] prompt = {1, 403, 407, 261, 378, 432, 383};
        try (Kernels kernels = Kernels.load(0);
             GgufFile file = GgufFile.open(SharedData.file("models/gguf/stories260K.gguf"))) {
            Model model = Model.load(file, kernels, KvCacheSpec.ofBlocks(8));
            BlockTable table = model.kvCache().newTable();
            table.ensureCapacity(prompt.length, model.kvCache().pool());
            Batch batch = new Batch();
            batch.add(table, 0, prompt, 0, prompt.length, true);
            Logits all = model.forward(batch);
            assertEquals(prompt.length, all.rows());
            float[][] rows = new float[prompt.length][model.config().vocabSize()];
            for (int i = 0; i < prompt.length; i++) {
                all.copyRow(i, rows[i], 0);
            }
            float[] single = new float[model.config().vocabSize()];
            for (int i = 0; i < prompt.length; i++) {
                batch.clear();
                batch.add(table, i, prompt[i]);
                model.forward(batch).copyRow(0, single, 0);
                assertArrayEquals(rows[i], single, 1e-5f, "position " + i + " fed alone vs inside the prompt batch");
            }
            table.release(model.kvCache().pool());
        }
    }
}
